"""Who may use which route.

Access is denied by default: every view declares either ``@public`` or ``@roles_required(...)``.
A view that declares nothing answers 403, and a test walks the URL map to keep it that way.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from quizapp.extensions import login_manager
from quizapp.web.errors import wants_json

View = TypeVar("View", bound=Callable)
ACCESS_ATTRIBUTE = "quizapp_access"
PUBLIC = "public"


def public(view: View) -> View:
    """Mark a view as usable without logging in (login page, QR landing page, static files)."""
    setattr(view, ACCESS_ATTRIBUTE, PUBLIC)
    return view


def roles_required(*roles: str) -> Callable[[View], View]:
    """Let only logged-in users with one of ``roles`` through; others get 403."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapper, ACCESS_ATTRIBUTE, frozenset(roles))
        return wrapper

    return decorate


def declared_access(endpoint: str | None):
    """The access a view declared: PUBLIC, a frozenset of roles, or None when undeclared."""
    if endpoint is None:
        return None
    if endpoint == "static" or endpoint.endswith(".static"):
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTRIBUTE, None)


def enforce_login():
    """Run before every request: send anonymous users to the login page unless the view is public."""
    if request.endpoint is None:  # no such route: let the 404 handler answer
        return None
    access = declared_access(request.endpoint)
    if access == PUBLIC:
        return None
    if not current_user.is_authenticated:
        if wants_json():  # a tablet's script wants a status, not the login page
            return jsonify({"error": _("Sign in first.")}), 401
        return login_manager.unauthorized()
    if access is None:
        current_app.logger.error("view %s declares no access rule; refusing", request.endpoint)
        abort(403)
    return None
