"""The start page after signing in, and what makes the app installable and open without a network: the service
worker (quizapp/static/js/sw.js) and the page it shows offline."""

from flask import Blueprint, current_app, render_template, send_from_directory

from quizapp.web.access import public, roles_required

bp = Blueprint("home", __name__)


@bp.route("/")
@roles_required("admin", "inspector", "enterprise")
def index():
    return render_template("home/index.html")


@bp.route("/sw.js")
@public
def service_worker():
    """The service worker, served from the root so that its scope is the whole site; never cached by HTTP, so
    that a new version reaches the tablets at once."""
    response = send_from_directory(current_app.static_folder, "js/sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/offline")
@public
def offline():
    """What a page that needs the network shows without one (kept by the service worker)."""
    return render_template("home/offline.html")
