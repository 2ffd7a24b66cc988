"""Paper sheets: papers drawn ahead of printing, and their answers entered afterwards as attempts.

Entering a sheet is idempotent like a tablet submission: the attempt a sheet becomes has a client id
derived from the sheet's token, so the same sheet can never become two attempts, and its answers,
once final, are never entered again with other marks.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from quizapp.bank.problems import msg
from quizapp.exam.attempts import AttemptConflict, AttemptError, submit_answers
from quizapp.exam.blueprint import Blueprint
from quizapp.exam.pool import draw_paper
from quizapp.models import Attempt, Enterprise, Inspection, PaperSheet, User, Worker
from quizapp.models.base import utcnow
from quizapp.models.enterprise import new_public_token

SHEET_NAMESPACE = uuid.UUID("5b0f6d3e-2a7c-4f57-9b1e-6c1f3b8f0a11")
MAX_BATCH = 100  # papers printed at once, from the web or the command line


def print_batch(session: Session, *, enterprise: Enterprise, role: str, count: int, blueprint: Blueprint,
                created_by: User | None = None, inspection: Inspection | None = None,
                allow_short: bool = False) -> list[PaperSheet]:
    """``count`` different papers for ``role`` at ``enterprise``, each meeting the blueprint.

    Each paper prefers questions the earlier papers of the batch did not use, so the sheets handed
    round one workshop differ as much as the bank allows.
    """
    batch, used, sheets = new_public_token(), set(), []
    for _ in range(count):
        seed = secrets.randbits(62)
        paper = draw_paper(session, role, enterprise.industry_codes, blueprint, seed, recently_used=used,
                           allow_short=allow_short)
        used |= {item.question_id for item in paper.items}
        sheets.append(PaperSheet(batch=batch, enterprise=enterprise, inspection=inspection, role_code=role,
                                 blueprint=asdict(blueprint), seed=seed, items=paper.stored(),
                                 created_by_id=created_by.id if created_by else None))
    session.add_all(sheets)
    session.flush()
    return sheets


def sheet_for_attempt(session: Session, attempt: Attempt, created_by: User) -> PaperSheet:
    """The printable sheet of a worker's paper-mode attempt: the same paper, entered from its QR code."""
    sheet = PaperSheet(batch=new_public_token(), enterprise_id=attempt.inspection.enterprise_id,
                       inspection_id=attempt.inspection_id, role_code=attempt.worker.role_code,
                       blueprint=attempt.blueprint, seed=attempt.seed, items=attempt.items, attempt=attempt,
                       created_by_id=created_by.id)
    session.add(sheet)
    session.flush()
    return sheet


def enter_sheet(session: Session, sheet: PaperSheet, *, inspection: Inspection, worker: Worker, examiner: User,
                submission_id: str, answers: dict[int, Any], reexam_days: int = 30,
                now: datetime | None = None) -> Attempt:
    """Score a sheet's answers as a paper attempt of ``worker`` in ``inspection``.

    The same submission again returns the stored result; entering a sheet already entered is a conflict.
    """
    attempt = sheet.attempt
    if attempt is None:
        if worker.enterprise_id != sheet.enterprise_id or inspection.enterprise_id != sheet.enterprise_id:
            raise AttemptError(msg("the sheet was printed for another enterprise"))
        if worker.role_code != sheet.role_code:
            raise AttemptError(msg("the sheet was printed for another role"))
        if inspection.status != "open":
            raise AttemptError(msg("the inspection is closed"))
        attempt = Attempt(client_id=str(uuid.uuid5(SHEET_NAMESPACE, sheet.token)), inspection=inspection,
                          worker=worker, examiner_id=examiner.id, mode="paper", blueprint=sheet.blueprint,
                          seed=sheet.seed, items=sheet.items, started_at=now or utcnow())
        session.add(attempt)
        sheet.attempt = attempt
    elif attempt.worker_id != worker.id:
        raise AttemptConflict(msg("the sheet was already entered for another worker"))
    return submit_answers(session, attempt, submission_id=submission_id, answers=answers,
                          part=list(range(len(sheet.items))), reexam_days=reexam_days, now=now)
