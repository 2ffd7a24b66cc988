"""Settings read from the environment (``DATABASE_URL``, ``SECRET_KEY``, ``QUIZAPP_*``)."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def instance_secret_key(instance_path: Path) -> str:
    """Return the key kept in ``instance/secret_key``, creating it on first use.

    A generated key survives restarts (sessions stay valid) without ever being a constant in code.
    """
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def derived_key(secret: str, purpose: str) -> str:
    """A key for one purpose (e.g. hashing ID-card numbers) derived from SECRET_KEY when none is set."""
    return hashlib.sha256(f"{purpose}:{secret}".encode()).hexdigest()


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def load_config(instance_path: Path) -> dict[str, object]:
    """Build the Flask config mapping from the environment, with defaults for a single machine.

    ``SECRET_KEY`` stays None when unset; ``create_app`` then uses the key kept in ``instance/``.
    """
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'quizapp.sqlite'}"
    # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants an explicit psycopg 3 driver.
    for prefix in ("postgres://", "postgresql://"):
        if database_url.startswith(prefix):
            database_url = "postgresql+psycopg://" + database_url[len(prefix):]
    redis_url = os.environ.get("QUIZAPP_REDIS_URL")
    secure_cookies = os.environ.get("QUIZAPP_SECURE_COOKIES", "") == "1"
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MAX_CONTENT_LENGTH": _int_env("QUIZAPP_MAX_UPLOAD_MB", 16) * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": os.environ.get("QUIZAPP_DEFAULT_LOCALE", "zh_Hans_CN"),
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "BABEL_TRANSLATION_DIRECTORIES": str(REPO_ROOT / "quizapp" / "translations"),
        # Said for every app: Flask-Limiter keeps the last app's setting on its one shared object otherwise.
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "QUIZAPP_LOGIN_LIMIT": os.environ.get("QUIZAPP_LOGIN_LIMIT", "10 per minute"),
        "QUIZAPP_REDIS_URL": redis_url,
        "QUIZAPP_PAGE_SIZE": _int_env("QUIZAPP_PAGE_SIZE", 20),
        "QUIZAPP_ID_HASH_KEY": os.environ.get("QUIZAPP_ID_HASH_KEY") or None,
        "QUIZAPP_PDF_FONT": os.environ.get("QUIZAPP_PDF_FONT") or None,
        "QUIZAPP_REEXAM_DAYS": _int_env("QUIZAPP_REEXAM_DAYS", 30),
        "QUIZAPP_BASE_URL": os.environ.get("QUIZAPP_BASE_URL", "http://127.0.0.1:5000"),
        "QUIZAPP_RATE_LIMIT": os.environ.get("QUIZAPP_RATE_LIMIT", "600 per minute"),
        "QUIZAPP_ACCOUNT_WRITE_LIMIT": os.environ.get("QUIZAPP_ACCOUNT_WRITE_LIMIT", "120 per minute"),
        "QUIZAPP_SESSION_IDLE_MINUTES": _int_env("QUIZAPP_SESSION_IDLE_MINUTES", 30),
        "QUIZAPP_TRUSTED_PROXIES": _int_env("QUIZAPP_TRUSTED_PROXIES", 0),
        # A CSRF token lasts as long as its session (which idle sign-out ends), not Flask-WTF's hour: a tablet's
        # drill or quiz page stays open longer than that and must still be able to send.
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
    }
