"""The start page after signing in, and what makes the app installable and open without a network: the service
worker (templates/sw.js) and the page it shows offline."""

from flask import Blueprint, make_response, render_template

from quizapp.web.access import public, roles_required
from quizapp.web.static_files import SHELL_PAGES, shell_name, shell_urls

bp = Blueprint("home", __name__)


@bp.route("/")
@roles_required("admin", "inspector", "enterprise")
def index():
    return render_template("home/index.html")


@bp.route("/sw.js")
@public
def service_worker():
    """The service worker, served from the root so that its scope is the whole site, with the shell's files by
    their versioned URLs; never cached by HTTP, so that a new version reaches the tablets at once."""
    response = make_response(render_template("sw.js", shell_name=shell_name(), shell_pages=list(SHELL_PAGES),
                                             shell_urls=shell_urls()))
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/offline")
@public
def offline():
    """What a page that needs the network shows without one (kept by the service worker)."""
    return render_template("home/offline.html")
