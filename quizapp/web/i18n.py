"""Language choice and template helpers: Simplified Chinese by default, English on request."""

from __future__ import annotations

from flask import current_app, session
from flask_babel import lazy_gettext as _l

SUPPORTED_LOCALES = {"zh_Hans_CN": "中文", "en": "English"}
TYPE_LABELS = {
    "single": _l("Single choice"),
    "multiple": _l("Multiple choice"),
    "judge": _l("True or false"),
    "fill": _l("Fill in the blank"),
    "oral": _l("Oral question"),
    "practical": _l("Point and call"),
}


def select_locale() -> str:
    """The language the user picked (kept in the session), else the configured default."""
    chosen = session.get("locale")
    if chosen in SUPPORTED_LOCALES:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]
