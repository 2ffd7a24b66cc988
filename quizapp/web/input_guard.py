"""Requests carrying a NUL character are refused before any view sees them.

PostgreSQL cannot store U+0000 in text or JSON (psycopg raises DataError, an answer 500), a file name
with one cannot be opened, and no person types one. So a NUL anywhere in the path, the query string,
the form, an uploaded file's name or a JSON body is a 400, whichever view it was meant for.
"""

from __future__ import annotations

from typing import Any

from flask import abort, request
from flask_babel import gettext as _

NUL = "\x00"


def _json_has_nul(value: Any) -> bool:
    """Walked with a stack, not recursion: a body nested a thousand deep must not raise RecursionError here."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _has_nul() -> bool:
    texts = [request.path]
    for data in (request.args, request.form):
        for key, values in data.lists():
            texts += [key, *values]
    texts += [upload.filename or "" for upload in request.files.values()]
    if any(NUL in text for text in texts):
        return True
    try:
        return request.is_json and _json_has_nul(request.get_json(silent=True))
    except RecursionError:
        return False  # the view refuses a body json cannot read


def refuse_nul_characters() -> None:
    if _has_nul():
        abort(400, description=_("The request contains a NUL character, which cannot be stored. Remove it and "
                                 "try again."))
