"""Editing one bank item on the web (a question or a drill template): a change is a new version, never
an update."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from quizapp.bank.importer import VersionWriter
from quizapp.bank.validate import QuestionSpec
from quizapp.models import Question
from quizapp.models.base import utcnow


def save_edit(session: Session, item: Any, spec: Any, write_version: Callable[[int], None]) -> bool:
    """Store ``spec`` as ``item``'s next version (through ``write_version(number)``) if its content changed;
    apply a status change.

    Returns True when anything changed. The file hash is kept, so the next import of an unchanged
    bank file does not undo the edit.
    """
    changed = False
    if spec.content_hash != item.current_version.content_hash:
        number = item.current_number + 1
        write_version(number)
        item.current_number = number
        changed = True
    if spec.status != item.status:
        item.status = spec.status
        changed = True
    if changed:
        item.updated_at = utcnow()
        session.flush()
        session.expire(item)
    return changed


def save_question_edit(session: Session, question: Question, spec: QuestionSpec,
                       created_by_id: int | None) -> bool:
    return save_edit(session, question, spec,
                     lambda number: VersionWriter(session).write([(question.id, number, spec)], created_by_id))
