"""Opening, joining and closing inspections. Functions add and flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizapp.bank.problems import msg
from quizapp.exam.once import insert_or_stored
from quizapp.exam.roster import CERTIFICATE_BASIS, certificate_problem
from quizapp.models import Attempt, Enterprise, Finding, Inspection, TeamMember, User, Worker
from quizapp.models.audit import audit_reason
from quizapp.models.base import utcnow
from quizapp.models.drill_run import DrillRun

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
CLOSING_REASON = "inspection closed"  # in the audit trail, beside the closing and the findings it records


class InspectionError(Exception):
    """An action the inspection's state does not allow; the message says why."""


def local_today(now: datetime | None = None) -> date:
    """Inspections belong to the day in Asia/Shanghai, not the server's UTC date."""
    return (now or utcnow()).astimezone(LOCAL_ZONE).date()


def open_inspection_today(session: Session, enterprise: Enterprise, today: date) -> Inspection | None:
    return session.scalar(select(Inspection).where(Inspection.enterprise_id == enterprise.id,
                                                   Inspection.local_date == today, Inspection.status == "open"))


def check_in(session: Session, enterprise: Enterprise, inspector: User, kind: str = "routine",
             now: datetime | None = None) -> Inspection:
    """The inspector scanned the poster: join today's open inspection, or open one.

    Scanning again changes nothing. Two tablets opening at the same moment end up in one inspection:
    the database allows one open inspection per enterprise and day.
    """
    now = now or utcnow()
    today = local_today(now)
    inspection = open_inspection_today(session, enterprise, today) or insert_or_stored(
        session, Inspection(enterprise=enterprise, kind=kind, local_date=today, opened_at=now,
                            opened_by_id=inspector.id),
        lambda: open_inspection_today(session, enterprise, today))
    if not any(member.user_id == inspector.id for member in inspection.team):  # a double tap may race itself
        insert_or_stored(session, TeamMember(inspection_id=inspection.id, user_id=inspector.id, checked_in_at=now),
                         lambda: session.get(TeamMember, (inspection.id, inspector.id)))
        session.expire(inspection, ["team"])
    return inspection


def close_inspection(session: Session, inspection: Inspection, inspector: User, now: datetime | None = None) -> None:
    """Close (and so lock) an inspection; only a member of its team may.

    Closing records a finding for every worker whose post needs a special-operation certificate they
    do not validly hold: they must stop that work at once, so the finding is due the same day.
    """
    if inspection.status != "open":
        raise InspectionError(msg("the inspection is already closed"))
    if not any(member.user_id == inspector.id for member in inspection.team):
        raise InspectionError(msg("only a member of the inspection team may close it"))
    now = now or utcnow()
    with audit_reason(session, CLOSING_REASON):
        for worker, problem in certificate_problems(inspection.enterprise.workers, local_today(now)):
            session.add(Finding(inspection_id=inspection.id, worker_id=worker.id, kind=problem,
                                basis=CERTIFICATE_BASIS, due_on=local_today(now)))
        inspection.status = "closed"
        inspection.closed_at = now


def certificate_problems(workers: list[Worker], today: date) -> list[tuple[Worker, str]]:
    return [(worker, problem) for worker in workers if (problem := certificate_problem(worker, today))]


@dataclass(frozen=True)
class InspectionSummary:
    """What the inspection page and the closing summary show."""

    results: list[Attempt]  # each examined worker's latest final result (corrections replace what they correct)
    in_progress: list[Attempt]
    not_examined: list[Worker]
    findings: list[Finding]  # findings of corrected results are withdrawn and left out
    certificate_problems: list[tuple[Worker, str]]  # recorded as findings when the inspection closes
    drills: list[DrillRun]

    @property
    def passed(self) -> int:
        return sum(1 for attempt in self.results if attempt.passed)

    @property
    def results_by_worker(self) -> dict[int, Attempt]:
        return {attempt.worker_id: attempt for attempt in self.results}

    @property
    def average_score(self) -> float | None:
        return round(sum(a.score for a in self.results) / len(self.results), 1) if self.results else None


def inspection_summary(session: Session, inspection: Inspection) -> InspectionSummary:
    attempts = list(session.scalars(select(Attempt).where(Attempt.inspection_id == inspection.id)
                                    .order_by(Attempt.started_at, Attempt.id)))
    corrected = {attempt.corrects_id for attempt in attempts if attempt.corrects_id}
    current = [attempt for attempt in attempts if attempt.id not in corrected]
    results = [attempt for attempt in current if attempt.status == "final"]
    in_progress = [attempt for attempt in current if attempt.status != "final"]
    examined = {attempt.worker_id for attempt in attempts}
    findings = [finding for finding in session.scalars(select(Finding).where(Finding.inspection_id == inspection.id)
                                                       .order_by(Finding.id))
                if finding.attempt_id not in corrected]
    pending = [] if inspection.status == "closed" else certificate_problems(inspection.enterprise.workers,
                                                                            inspection.local_date)
    drills = list(session.scalars(select(DrillRun).where(DrillRun.inspection_id == inspection.id)
                                  .order_by(DrillRun.created_at)))
    return InspectionSummary(results, in_progress,
                             [worker for worker in inspection.enterprise.workers if worker.id not in examined],
                             findings, pending, drills)
