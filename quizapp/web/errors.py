"""Friendly error pages that say what happened and where to go next; JSON for the tablet's API."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from quizapp.extensions import db

DATABASE_RETRY_SECONDS = 5


def _answer(code: int, message: str, as_json: bool, **extra):
    if as_json:
        return {"error": message, "status": code, **extra}, code
    return render_template("errors/error.html", code=code, message=message), code


def wants_json() -> bool:
    """The tablet's scripts read JSON under /api whatever Accept they send; other clients may ask for it."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        messages = {
            403: _("You do not have permission to open this page."),
            404: _("This page does not exist. Check the address or go back to the start page."),
            413: _("The uploaded file is too large (at most %(mb)d MB).",
                   mb=app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)),
            429: _("Too many attempts. Please wait a minute and try again."),
        }
        if isinstance(error, CSRFError):  # "csrf": a queue's script takes a fresh token and sends again
            expired = _("This page has expired or did not come from this site. Reload it and try again.")
            return _answer(error.code, expired, wants_json(), csrf=True)
        return _answer(error.code, messages.get(error.code, error.description), wants_json())

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error: OperationalError | InterfaceError):
        """The connection died, or the database gave up on the transaction (a deadlock, a restart).

        The transaction is rolled back whole, so nothing of the request was stored, and every write carries a
        client-made id: the tablet (or the person) can simply send the same request again.
        """
        app.logger.warning("database unavailable during %s %s: %s", request.method, request.path, error)
        db.session.rollback()
        body, code = _answer(503, _("The database could not be reached. Nothing was saved; please try again."),
                             wants_json())
        return body, code, {"Retry-After": str(DATABASE_RETRY_SECONDS)}
