"""Static files named by their content: every static URL carries a digest of the file (``?v=``).

The service worker keeps files by URL, cache first, so that the app opens without a network. Named by content,
a new release's page can never run an old script from that cache, and the service worker, which lists the
shell's files by those URLs, is a different script whenever one of them changes: the browser installs it and
the tablet takes the new shell as a whole, on its next visit online.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache

from flask import Flask, url_for
from werkzeug.security import safe_join

SHELL_PAGES = ("/offline", "/field")
SHELL_FILES = ("css/app.css", "js/app.js", "js/store.js", "js/quiz.js", "js/drill.js", "js/field.js",
               "js/packs.js", "manifest.webmanifest", "icons/icon-192.png", "icons/icon-512.png")
"""What the field app needs offline; a page's scripts not listed here are fetched once and kept as well."""


@lru_cache(maxsize=256)
def _digest_of(path: str, modified_ns: int, size: int) -> str:
    """The file's digest, computed once per version of the file (its time and size name the version)."""
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()[:12]


def static_digest(static_folder: str, filename: str) -> str | None:
    """The digest of a file under ``static_folder``, or None if there is no such file."""
    path = safe_join(static_folder, filename)
    try:
        found = os.stat(path or "")
    except OSError:
        return None
    return _digest_of(path, found.st_mtime_ns, found.st_size)


def shell_urls() -> list[str]:
    """The shell's pages and its files by their versioned URLs, as the service worker caches them."""
    return [*SHELL_PAGES, *(url_for("static", filename=filename) for filename in SHELL_FILES)]


def shell_name() -> str:
    """The service worker's cache: named after the files it holds, so a release starts a new one."""
    return "quizapp-shell-" + hashlib.sha256(" ".join(shell_urls()).encode()).hexdigest()[:12]


def register_static_versions(app: Flask) -> None:
    @app.url_defaults
    def add_static_digest(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            digest = static_digest(app.static_folder, values["filename"])
            if digest:
                values["v"] = digest
