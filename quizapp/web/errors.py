"""Friendly error pages that say what happened and where to go next."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException


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
        message = messages.get(error.code, error.description)
        if request.accept_mimetypes.best == "application/json":
            return {"error": message, "status": error.code}, error.code
        return render_template("errors/error.html", code=error.code, message=message), error.code
