"""Sending a PDF from a view: the font is found first, and a server without one says how to fix it."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

from flask import current_app, flash, redirect, send_file
from flask_babel import gettext as _

from quizapp.pdf.fonts import FontMissingError, cjk_font


def send_pdf(build: Callable[[str], bytes], filename: str, back: str):
    """``build(font)`` sent inline as ``filename``; without a Chinese font, back to ``back`` with the fix."""
    try:
        font = cjk_font(current_app.config["QUIZAPP_PDF_FONT"])
    except FontMissingError as error:
        current_app.logger.error("cannot print %s: %s", filename, error)
        flash(_("The document cannot be printed: the server has no Chinese font. Install one with "
                "“apt-get install fonts-wqy-zenhei”, or set QUIZAPP_PDF_FONT to a .ttf or .ttc font file."), "error")
        return redirect(back)
    return send_file(BytesIO(build(font)), mimetype="application/pdf", download_name=filename)
