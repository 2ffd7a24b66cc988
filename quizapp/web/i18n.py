"""Language choice and template helpers: Simplified Chinese by default, English on request."""

from __future__ import annotations

from flask import current_app, session
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l

from quizapp.bank.problems import Message

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


def translate_message(message: str) -> str:
    """A bank problem message in the user's language; a plain str (not a bank Message) is kept as is.

    A translation whose placeholders do not fit the template gives the English text, not an error page.
    """
    if not isinstance(message, Message):
        return message
    params = {name: translate_message(value) for name, value in message.params.items()}  # nested messages too
    try:
        return get_translations().gettext(message.template).format(**params)
    except (KeyError, IndexError, ValueError):
        return str(message)
