"""The start page after signing in: where each role goes next."""

from flask import Blueprint, render_template

from quizapp.web.access import roles_required

bp = Blueprint("home", __name__)


@bp.route("/")
@roles_required("admin", "inspector", "enterprise")
def index():
    return render_template("home/index.html")
