"""Limits on what an uploaded .xlsx (a zip archive) may unpack to, checked before anything is inflated.

A few hundred KB of deflated XML can inflate to gigabytes (a zip bomb) and take the server's memory
with it. The central directory declares each member's sizes, and Python's zipfile never inflates a
member beyond its declared size (it stops there and fails the CRC check), so the declared sizes are
a safe bound to check up front. The limits are far above any real workbook: 10,000 generated questions
written by ``bank export --format xlsx`` unpack to 10 MB, their sheet compressed 15 to 1.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO

from quizapp.bank.problems import Message, msg

MAX_MEMBERS = 1_000
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100
RATIO_CHECKED_FROM_BYTES = 1024 * 1024
"""Small members may compress very well (an empty sheet's XML) without being a threat."""

MEGABYTE = 1024 * 1024


def xlsx_size_problem(source: Path | IO[bytes]) -> Message | None:
    """Why the workbook must not be opened, or None when it is within the limits (or no zip archive at all,
    which the workbook reader then reports in its own words). A stream is left where it was."""
    position = None if isinstance(source, str | Path) else source.tell()
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (OSError, zipfile.BadZipFile, ValueError, EOFError):
        return None
    finally:
        if position is not None:
            source.seek(position)
    if len(members) > MAX_MEMBERS:
        return msg("the workbook holds {count} files; at most {limit} are allowed", count=len(members),
                   limit=MAX_MEMBERS)
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        return msg("the workbook would unpack to {size} MB; at most {limit} MB are allowed",
                   size=total // MEGABYTE, limit=MAX_UNCOMPRESSED_BYTES // MEGABYTE)
    for member in members:
        if member.file_size >= RATIO_CHECKED_FROM_BYTES and member.file_size > MAX_RATIO * member.compress_size:
            return msg("{member} in the workbook is compressed more than {ratio} to 1: refused as a possible "
                       "zip bomb", member=member.filename, ratio=MAX_RATIO)
    return None
