"""What every template can use: language choices, type labels, local times, page links."""

from __future__ import annotations

import uuid

from flask import Flask, request, url_for
from flask_babel import format_datetime

from quizapp.bank.citations import format_citation
from quizapp.web.i18n import SUPPORTED_LOCALES, TYPE_LABELS, select_locale, translate_message


def url_for_page(number: int) -> str:
    """The current page's URL with its query string kept and only ``page`` changed."""
    args = {**(request.view_args or {}), **request.args.to_dict(), "page": number}
    return url_for(request.endpoint, **args)


def new_request_id() -> str:
    """A client-made id for a result-changing form: a repeated tap sends the same id and changes nothing."""
    return str(uuid.uuid4())


def register_template_helpers(app: Flask) -> None:
    @app.context_processor
    def common_values():
        return {"supported_locales": SUPPORTED_LOCALES, "current_locale": select_locale()}

    # Stored in UTC, shown in Asia/Shanghai (BABEL_DEFAULT_TIMEZONE).
    app.jinja_env.filters["local_datetime"] = lambda value: format_datetime(value, "yyyy-MM-dd HH:mm")
    app.jinja_env.globals["url_for_page"] = url_for_page
    app.jinja_env.globals["new_request_id"] = new_request_id
    app.jinja_env.globals["type_labels"] = TYPE_LABELS  # lazy strings: translated where they are shown
    app.jinja_env.filters["translated"] = translate_message  # bank problem messages (quizapp.bank.problems)
    app.jinja_env.filters["citation"] = lambda basis: format_citation(
        basis.source.short_name or basis.source.name, basis.source.kind, basis.article)
