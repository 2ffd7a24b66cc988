"""A worker's personal data under PIPL (个人信息保护法): shown masked where it leaves the system, handed over
whole on request (art. 45), erased on request (art. 47) while the results it produced keep counting.

Names in files (exports, the 一企一档 PDF) go through ``mask_name``; ID-card numbers are never held in clear at
all (``quizapp.exam.roster``). ``personal_data`` gathers everything held on one person as plain JSON values.
``erase_worker`` keeps the worker's row, so that attempts, attempt items, findings and drill runs still point at
it and every statistic stays as it was, but without anything that tells who the person was: the name becomes a
label, the ID-card hash and mask go, certificates (their numbers are personal) are deleted, and notes written
about the person are blanked (the audit trail, append-only, keeps its earlier entries: see ``erase_worker``).
An erased worker is on no roster or picker (``Enterprise.workers`` leaves them out)
and is never matched by an import: the same person entered again is a new row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from quizapp.analytics.enterprise import finding_citations
from quizapp.bank.problems import msg
from quizapp.exam.inspections import local_today
from quizapp.exam.papers import items_view
from quizapp.exam.rectification import rectification_state
from quizapp.exam.roster import check_certificate
from quizapp.models import (
    Attempt,
    AuditEvent,
    DrillRun,
    Finding,
    Inspection,
    PracticeQuiz,
    Question,
    QuestionVersion,
    Worker,
)
from quizapp.models.audit import audit_reason
from quizapp.models.base import utcnow
from quizapp.models.drill_run import drill_participants

ERASED_PREFIX = "已删除人员-"
ERASED_NOTE = "（已删除）"
"""Replaces a non-empty note about an erased person: blank would turn a finding sent back into an open one."""


def mask_name(name: str) -> str:
    """李*明, 王*, 欧**锋: the first character stays, and the last of a name of three or more; the rest are stars.

    Colleagues still recognise a list, a stranger who gets the file learns little. A one-character name becomes
    a single star. The label of an erased person is no name and stays as it is.
    """
    name = name.strip()
    if name.startswith(ERASED_PREFIX) or not name:
        return name
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def erased_label(worker: Worker) -> str:
    """已删除人员-Ab3x: tells erased people apart on a list without saying who they were."""
    return ERASED_PREFIX + worker.public_token[:4]


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _verdict(paper: Attempt | PracticeQuiz) -> str | None:
    if paper.status != "final":
        return None
    return "passed" if paper.passed else "failed"


def _paper_items(session: Session, paper: Attempt | PracticeQuiz) -> list[dict[str, Any]]:
    """Each item as it was shown (stem, options in the shown order), with the question's code and version, the
    response given (in the shown letters) and the fraction of the points earned."""
    versions = {version.id: (code, version.number) for version, code in session.execute(
        select(QuestionVersion, Question.code).join(Question, Question.id == QuestionVersion.question_id)
        .where(QuestionVersion.id.in_([item["version_id"] for item in paper.items])))}
    responses = paper.responses or [None] * len(paper.items)
    scores = paper.item_scores or [None] * len(paper.items)
    return [shown | {"question": versions[item["version_id"]][0], "version": versions[item["version_id"]][1],
                     "response": response, "score": score}
            for item, shown, response, score in zip(paper.items, items_view(session, paper.items), responses, scores,
                                                    strict=True)]


def _attempt(session: Session, attempt: Attempt, tokens: dict[int, str]) -> dict[str, Any]:
    inspection = attempt.inspection
    return {
        "attempt": attempt.public_token,
        "inspection": {"date": _iso(inspection.local_date), "kind": inspection.kind, "status": inspection.status},
        "mode": attempt.mode, "status": attempt.status, "examiner": attempt.examiner.display_name
        or attempt.examiner.username, "started_at": _iso(attempt.started_at),
        "submitted_at": _iso(attempt.submitted_at), "score": attempt.score, "verdict": _verdict(attempt),
        "pass_mark": attempt.blueprint.get("pass_mark"),
        "corrects": tokens.get(attempt.corrects_id) if attempt.corrects_id else None,
        "correction_reason": attempt.correction_reason or None,
        "items": _paper_items(session, attempt),
    }


def _finding(finding: Finding, citations: list[str]) -> dict[str, Any]:
    return {
        "finding": finding.public_token, "kind": finding.kind, "detail": finding.detail,
        "found_on": _iso(finding.inspection.local_date), "due_on": _iso(finding.due_on), "legal_basis": citations,
        "rectification": {"state": rectification_state(finding), "rectified_at": _iso(finding.rectified_at),
                          "note": finding.rectification_note, "photo": finding.rectification_photo is not None,
                          "verified_at": _iso(finding.verified_at), "verification_note": finding.verification_note},
    }


def _audit_events(session: Session, worker: Worker, attempt_ids: list[int], finding_ids: list[int]) -> list[dict]:
    """The trail's entries about the worker's row, their certificates held now, their attempts and the findings
    about them, oldest first."""
    about = {"workers": [worker.id], "certificates": [certificate.id for certificate in worker.certificates],
             "attempts": attempt_ids, "findings": finding_ids}
    entries = session.scalars(select(AuditEvent).where(or_(*(
        and_(AuditEvent.table_name == table, AuditEvent.row_id.in_([str(row_id) for row_id in ids]))
        for table, ids in about.items() if ids))).order_by(AuditEvent.position))
    return [{"position": entry.position, "occurred_at": _iso(entry.occurred_at), "actor": entry.actor_label,
             "action": entry.action, "table": entry.table_name, "row": entry.row_id, "before": entry.before,
             "after": entry.after, "reason": entry.reason} for entry in entries]


def personal_data(session: Session, worker: Worker) -> dict[str, Any]:
    """Everything held on ``worker``, as JSON values: the record, certificates, every attempt with its paper and
    answers, findings about them and their rectification, drills they took part in, practice quizzes, and the
    audit events about them."""
    enterprise = worker.enterprise
    attempts = session.scalars(select(Attempt).where(Attempt.worker_id == worker.id)
                               .order_by(Attempt.started_at, Attempt.id)).all()
    tokens = {attempt.id: attempt.public_token for attempt in attempts}
    findings = session.scalars(select(Finding).join(Inspection, Inspection.id == Finding.inspection_id)
                               .where(Finding.worker_id == worker.id).order_by(Inspection.local_date, Finding.id)
                               .options(selectinload(Finding.inspection))).all()
    citations = finding_citations(session, findings)
    drills = session.scalars(select(DrillRun).join(drill_participants, drill_participants.c.run_id == DrillRun.id)
                             .where(drill_participants.c.worker_id == worker.id).order_by(DrillRun.created_at)).all()
    quizzes = session.scalars(select(PracticeQuiz).where(PracticeQuiz.worker_id == worker.id)
                              .order_by(PracticeQuiz.started_at, PracticeQuiz.id)).all()
    today = local_today()
    return {
        "generated_at": _iso(utcnow()),
        "worker": {
            "name": worker.name, "role": worker.role_code, "post": worker.post,
            "required_certificate": worker.required_category, "id_number_masked": worker.id_number_masked or None,
            "public_token": worker.public_token, "created_at": _iso(worker.created_at),
            "erased_at": _iso(worker.erased_at),
            "enterprise": {"name": enterprise.name, "credit_code": enterprise.credit_code, "county": enterprise.county},
        },
        "certificates": [{"category": certificate.category_code, "number": certificate.number,
                          "issued_on": _iso(certificate.issued_on),
                          "last_reviewed_on": _iso(certificate.last_reviewed_on),
                          "state": check_certificate(certificate.issued_on, certificate.last_reviewed_on,
                                                     today).state.value}
                         for certificate in worker.certificates],
        "attempts": [_attempt(session, attempt, tokens) for attempt in attempts],
        "findings": [_finding(finding, citations[finding.id]) for finding in findings],
        "drill_runs": [{"drill_run": run.public_token, "date": _iso(run.inspection.local_date),
                        "title": run.content["title"], "status": run.status, "score": run.score,
                        "verdict": None if run.status != "finished" else ("passed" if run.passed else "failed")}
                       for run in drills],
        "practice_quizzes": [{"practice_quiz": quiz.public_token, "started_at": _iso(quiz.started_at),
                              "submitted_at": _iso(quiz.submitted_at), "topics": quiz.topic_codes,
                              "status": quiz.status, "score": quiz.score, "verdict": _verdict(quiz),
                              "items": _paper_items(session, quiz)} for quiz in quizzes],
        "audit_events": _audit_events(session, worker, list(tokens), [finding.id for finding in findings]),
    }


class ErasureError(Exception):
    """An erasure that cannot be done now; the message (a ``msg``) says why."""


@dataclass(frozen=True)
class Erasure:
    label: str  # the name the row now has
    photos: list[str]  # rectification photos about the person, relative to the upload folder: delete after commit


def exam_in_progress(session: Session, worker: Worker) -> Attempt | None:
    """The worker's unfinished exam in an inspection still open, if any."""
    return session.scalar(select(Attempt).join(Inspection, Inspection.id == Attempt.inspection_id)
                          .where(Attempt.worker_id == worker.id, Attempt.status == "in_progress",
                                 Inspection.status == "open").limit(1))


def erase_worker(session: Session, worker: Worker, reason: str, now: datetime | None = None) -> Erasure:
    """Erase what tells who ``worker`` was, keeping the row and every result pointing at it; flushes, with
    ``reason`` (e.g. the person's request) on the audit trail's entries.

    Refused (``ErasureError``) for someone already erased or in the middle of an exam in an open inspection:
    that exam would otherwise be finished under a name nobody can check.

    The audit trail is append-only: its earlier entries about the person (name, masked ID-card number, certificate
    numbers, notes; never the ID-card number or its hash) stay there, kept as the record of the inspections.
    """
    if worker.erased_at is not None:
        raise ErasureError(msg("this person has already been erased"))
    if exam_in_progress(session, worker):
        raise ErasureError(msg("{name} is taking an exam in an open inspection; finish or hand in that exam first",
                               name=worker.name))
    photos = []
    with audit_reason(session, reason):
        worker.name = erased_label(worker)
        worker.id_number_hash = None
        worker.id_number_masked = ""
        worker.certificates.clear()  # delete-orphan: the rows go
        for finding in session.scalars(select(Finding).where(Finding.worker_id == worker.id)):
            finding.rectification_note = ERASED_NOTE if finding.rectification_note else ""
            finding.verification_note = ERASED_NOTE if finding.verification_note else ""
            if finding.rectification_photo:
                photos.append(finding.rectification_photo)
                finding.rectification_photo = None
        worker.erased_at = now or utcnow()
    return Erasure(worker.name, photos)


def remove_photos(upload_folder: Path, photos: list[str]) -> None:
    """Delete the erased person's rectification photos (after the erasure is committed)."""
    for photo in photos:
        (upload_folder / photo).unlink(missing_ok=True)
