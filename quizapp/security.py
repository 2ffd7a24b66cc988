"""What protects every request: the proxy in front, security headers with a content policy, idle sign-out.

CSRF tokens (Flask-WTF), cookie flags (config.py) and throttling (the limiter in extensions.py) are set up
with the other extensions; this module holds what needs the app itself.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user, user_logged_in
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

from quizapp.web.errors import wants_json

# Only the app's own files: no inline script, handler or style attribute, nothing from another site.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
LAST_ACTIVITY = "last_activity"
"""Session key: when the signed-in user last made a request (seconds since the epoch)."""


def init_security(app: Flask) -> None:
    proxies = app.config["QUIZAPP_TRUSTED_PROXIES"]
    if proxies:  # behind nginx: throttle by the visitor's address, and know when the visitor used HTTPS
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    secure = app.config["SESSION_COOKIE_SECURE"]
    # One Talisman per app, not one in extensions.py: it keeps its settings on the instance, not per app.
    # HTTPS is the reverse proxy's job, so nothing is redirected; HSTS goes with HTTPS-only cookies.
    Talisman(app, force_https=False, strict_transport_security=secure, session_cookie_secure=secure,
             session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"], frame_options="DENY",
             content_security_policy=CONTENT_SECURITY_POLICY, referrer_policy="same-origin")
    user_logged_in.connect(_record_sign_in)
    app.before_request(sign_out_when_idle)


def _record_sign_in(_app, **_extra) -> None:
    session[LAST_ACTIVITY] = time.time()


def sign_out_when_idle():
    """Sign out a user idle for longer than QUIZAPP_SESSION_IDLE_MINUTES, so a tablet left lying around on site
    does not stay signed in; any other request renews the session."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now, last_activity = time.time(), session.get(LAST_ACTIVITY)
    minutes = current_app.config["QUIZAPP_SESSION_IDLE_MINUTES"]
    if last_activity is None or now - last_activity <= minutes * 60:
        session[LAST_ACTIVITY] = now
        return None
    logout_user()
    session.pop(LAST_ACTIVITY)
    message = _("You were signed out after %(minutes)d minutes without activity. Please sign in again.",
                minutes=minutes)
    if wants_json():
        return jsonify({"error": message}), 401
    flash(message, "info")
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
