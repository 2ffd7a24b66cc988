"""Editing one question in the web editor: a changed question gets a new version, never an update."""

from __future__ import annotations

from sqlalchemy.orm import Session

from quizapp.bank.importer import VersionWriter
from quizapp.bank.validate import QuestionSpec
from quizapp.models import Question
from quizapp.models.base import utcnow


def save_question_edit(session: Session, question: Question, spec: QuestionSpec,
                       created_by_id: int | None) -> bool:
    """Store ``spec`` as the question's next version if its content changed; apply a status change.

    Returns True when anything changed. The file hash is kept, so the next import of an unchanged
    bank file does not undo the edit.
    """
    changed = False
    if spec.content_hash != question.current_version.content_hash:
        number = question.current_number + 1
        VersionWriter(session).write([(question.id, number, spec)], created_by_id)
        question.current_number = number
        changed = True
    if spec.status != question.status:
        question.status = spec.status
        changed = True
    if changed:
        question.updated_at = utcnow()
        session.flush()
        session.expire(question)
    return changed
