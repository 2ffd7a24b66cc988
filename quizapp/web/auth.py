"""Sign in, sign out and language choice."""

from __future__ import annotations

import secrets
from functools import cache
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from quizapp.extensions import db, limiter, login_manager
from quizapp.forms.auth import LoginForm, LogoutForm
from quizapp.models import User
from quizapp.models.base import utcnow
from quizapp.web.access import public, roles_required
from quizapp.web.i18n import SUPPORTED_LOCALES

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


def _login_limit() -> str:
    return current_app.config["QUIZAPP_LOGIN_LIMIT"]


def _submitted_username() -> str:
    return "login:" + request.form.get("username", "").strip().lower()


@cache
def _unknown_user_hash() -> str:
    """A hash made like real ones (same method and cost), checked when no such user exists."""
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(username: str, password: str) -> User | None:
    """The enabled user with these credentials, or None.

    Every attempt checks one password hash, a made-up one for an unknown username, so neither the answer nor
    the time it takes tells whether an account exists.
    """
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    password_matches = check_password_hash(user.password_hash if user else _unknown_user_hash(), password)
    return user if user is not None and password_matches and user.is_enabled else None


def _safe_next(target: str | None) -> str:
    """Only follow a ``next`` that stays on this site, so the login page cannot bounce users away."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_submitted_username)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            user.last_login_at = utcnow()
            db.session.commit()
            current_app.logger.info("user %s signed in", user.username)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Wrong username or password."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@roles_required("admin", "inspector", "enterprise")
def logout():
    if LogoutForm().validate_on_submit():
        logout_user()
        flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/lang/<locale>")
@public
def set_language(locale: str):
    if locale in SUPPORTED_LOCALES:
        session["locale"] = locale
    return redirect(_safe_next(request.args.get("next")))
