"""Putting findings right: the enterprise reports a finding rectified, with a note and perhaps a photo; an
inspector or admin then verifies the work or sends it back with a note. Functions flush; the caller commits.

A failed exam is not rectified this way: it is put right when the worker passes a later exam.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Session

from quizapp.bank.problems import msg
from quizapp.models import Finding, User
from quizapp.models.audit import audit_reason
from quizapp.models.base import utcnow

REEXAM_KIND = "failed_exam"
REPORTABLE_STATES = ("open", "sent_back")
NOTE_LENGTH = 1000
PHOTO_FOLDER = "rectifications"
PHOTO_SUFFIXES = {"JPEG": "jpg", "PNG": "png"}
PHOTO_MAX_SIDE = 2048  # pixels: enough to read a sign or a gauge; a phone's 12 MP photo shrinks to a few hundred kB
PHOTO_MAX_PIXELS = 50_000_000  # a larger image is refused before it is decoded (a decompression bomb)


class RectificationError(Exception):
    """A step the finding's state does not allow; the message says why."""


class PhotoError(RectificationError):
    """The uploaded photo cannot be used; the message says why."""


def rectification_state(finding: Finding) -> str:
    """open → awaiting_verification → verified, or back to sent_back (open, with the reviewer's note);
    a failed exam's finding stays "reexam" (see ``quizapp.analytics.enterprise.reexams_due``)."""
    if finding.kind == REEXAM_KIND:
        return "reexam"
    if finding.verified_at is not None:
        return "verified"
    if finding.rectified_at is not None:
        return "awaiting_verification"
    if finding.verification_note:
        return "sent_back"
    return "open"


def store_photo(stream: IO[bytes], upload_folder: Path) -> str:
    """Save an uploaded JPG or PNG under a random name and return its path relative to ``upload_folder``.

    The image is decoded and written again: that proves it is an image, turns it upright, shrinks it, and drops
    its metadata (a phone's EXIF carries where and when it was taken).
    """
    try:
        with Image.open(stream) as image:
            if image.format not in PHOTO_SUFFIXES:
                raise PhotoError(msg("the photo must be a JPG or PNG image"))
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise PhotoError(msg("the photo has too many pixels"))
            suffix = PHOTO_SUFFIXES[image.format]
            image.draft("RGB", (PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))  # a JPEG decodes straight at a fraction of its size
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError) as error:  # not an image, or broken
        raise PhotoError(msg("the photo must be a JPG or PNG image")) from error
    relative = f"{PHOTO_FOLDER}/{secrets.token_urlsafe(16)}.{suffix}"
    target = upload_folder / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if suffix == "jpg":
        upright.convert("RGB").save(target, "JPEG", quality=85)
    else:
        upright.save(target, "PNG", optimize=True)
    return relative


def report_rectified(session: Session, finding: Finding, user: User, note: str, photo: IO[bytes] | None,
                     upload_folder: Path, now: datetime | None = None) -> None:
    """The enterprise says the finding is put right. After a send-back it reports again; a new photo takes the
    old one's place, and without one the old photo stays with the report (the replaced file is kept on disk as
    evidence)."""
    state = rectification_state(finding)
    if state == "reexam":
        raise RectificationError(msg("a failed exam is put right by passing a re-exam"))
    if state not in REPORTABLE_STATES:
        raise RectificationError(msg("this finding was already reported rectified"))
    if not note.strip():
        raise RectificationError(msg("say what was done to put it right"))
    with audit_reason(session, f"rectification reported: {note.strip()}"):
        if photo is not None:
            finding.rectification_photo = store_photo(photo, upload_folder)
        finding.rectified_at = now or utcnow()
        finding.rectified_by_id = user.id
        finding.rectification_note = note.strip()


def _reviewed(finding: Finding, reviewer: User, note: str) -> None:
    if rectification_state(finding) != "awaiting_verification":
        raise RectificationError(msg("only a finding reported rectified can be verified or sent back"))
    finding.verified_by_id = reviewer.id
    finding.verification_note = note.strip()


def verify_rectification(session: Session, finding: Finding, reviewer: User, note: str = "",
                         now: datetime | None = None) -> None:
    """An inspector or admin accepts the work; the finding is closed."""
    with audit_reason(session, "rectification verified" + (f": {note.strip()}" if note.strip() else "")):
        _reviewed(finding, reviewer, note)
        finding.verified_at = now or utcnow()


def send_back(session: Session, finding: Finding, reviewer: User, note: str) -> None:
    """The work does not put the finding right: it is open again, with the reviewer's note saying what is missing."""
    if not note.strip():
        raise RectificationError(msg("say what is still missing"))
    with audit_reason(session, f"rectification sent back: {note.strip()}"):
        _reviewed(finding, reviewer, note)
        finding.rectified_at = None
