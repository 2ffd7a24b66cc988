"""Results taken offline from an inspection pack (quizapp.exam.packs), as they arrive from a tablet's queue.

Each record is whole: a paper with every answer and mark, or a drill with its start, marks, ratings and end,
with the client UUIDs made on the tablet and the tablet's clock. It is stored in one transaction by the same
functions as online work, so the idempotency contract is the same: the same record again returns what is
stored, and the same paper (client UUID) sent with other answers is a conflict that changes nothing; the
inspector resolves it on the tablet, by keeping the stored result or by filing a correction with a reason.

A record names its worker by roster token, or gives a person the inspector added on the tablet, who joins the
roster when the record arrives (``offline_worker``).

The inspection is the enterprise's open one on the day of the exam (opened then if the inspector's check-in
never reached the server). The tablet's clock is trusted for that only when it falls between the pack's
issue and the server's present; otherwise the server's time is taken. Both are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizapp.bank.problems import msg
from quizapp.exam.attempts import AttemptConflict, AttemptError, start_attempt, submit_attempt
from quizapp.exam.blueprint import Blueprint
from quizapp.exam.drill_runs import DrillConflict, finish_run, mark_step, rate_phase, start_clock, start_run
from quizapp.exam.inspections import check_in
from quizapp.exam.roster import add_worker
from quizapp.models import Attempt, DrillTemplateVersion, Enterprise, Inspection, Role, User, Worker
from quizapp.models.base import utcnow
from quizapp.models.drill_run import DrillRun

MODES = ("tablet", "oral")
NAME_LENGTH = 100
"""Names and posts have at most this many characters (the roster's columns)."""


@dataclass(frozen=True)
class Stamp:
    """Who a pack was issued to, for which enterprise and when (signed inside every pack paper and ticket)."""

    enterprise_id: int
    user_id: int
    issued_at: datetime

    @classmethod
    def of(cls, signed: dict[str, Any], examiner: User) -> Stamp:
        stamp = cls(signed["enterprise"], signed["user"], datetime.fromisoformat(signed["issued_at"]))
        if stamp.user_id != examiner.id:
            raise AttemptError(msg("this pack was issued to another inspector, who must send its records"))
        return stamp

    def trusted(self, device_time: datetime | None, now: datetime) -> datetime:
        """The tablet's time if it is plausible (aware, after the pack's issue, not in the future), else ``now``."""
        if device_time is None or device_time.tzinfo is None or not self.issued_at <= device_time <= now:
            return now
        return device_time


def offline_worker(session: Session, enterprise_id: int, named: Any) -> Worker:
    """The worker a record names: a roster token, or ``{name, role, post}`` for a person added on the tablet.

    An added person joins the enterprise's roster; the same name and post is the same person, as when a roster
    is imported, so a retried record, or a second record of theirs, adds nobody.
    """
    if isinstance(named, str):
        worker = session.scalar(select(Worker).where(Worker.public_token == named))
        if worker is None or worker.enterprise_id != enterprise_id:
            raise AttemptError(msg("the worker does not belong to the inspected enterprise"))
        return worker
    if not isinstance(named, dict):
        raise AttemptError(msg("a worker is named by a roster token, or given with a name, role and post"))
    name, role, post = (str(named.get(key) or "").strip() for key in ("name", "role", "post"))
    if not name or len(name) > NAME_LENGTH or len(post) > NAME_LENGTH:
        raise AttemptError(msg("a person added on the tablet needs a name; name and post have at most 100 "
                               "characters"))
    if session.scalar(select(Role.id).where(Role.code == role)) is None:
        raise AttemptError(msg("no such role: {role}", role=role[:NAME_LENGTH]))
    same = session.scalar(select(Worker).where(Worker.enterprise_id == enterprise_id, Worker.name == name,
                                               Worker.post == post, Worker.erased_at.is_(None))
                          .order_by(Worker.id).limit(1))
    return same or add_worker(session, session.get(Enterprise, enterprise_id), name=name, role_code=role, post=post)


def _inspection(session: Session, stored: Attempt | DrillRun | None, stamp: Stamp, examiner: User,
                when: datetime) -> Inspection:
    if stored is not None:  # a retry: the record's own inspection, with no new check-in
        return stored.inspection
    return check_in(session, session.get(Enterprise, stamp.enterprise_id), examiner, now=when)


def record_offline_attempt(session: Session, *, paper: dict[str, Any], examiner: User, client_id: str,
                           submission_id: str, worker: Any, mode: str, responses: list[Any],
                           started: datetime | None, submitted: datetime | None, reexam_days: int = 30,
                           now: datetime | None = None) -> Attempt:
    """Store and score a paper answered offline; ``paper`` is the pack paper's signed content, ``worker`` names
    who answered it (see ``offline_worker``)."""
    stamp = Stamp.of(paper, examiner)
    if mode not in MODES:
        raise AttemptError(msg("an offline exam is taken on the tablet or asked aloud"))
    now = now or utcnow()
    started_at = stamp.trusted(started, now)
    stored = session.scalar(select(Attempt).where(Attempt.client_id == client_id))
    inspection = _inspection(session, stored, stamp, examiner, started_at)
    attempt = start_attempt(session, client_id=client_id, inspection=inspection,
                            worker=offline_worker(session, stamp.enterprise_id, worker), examiner=examiner,
                            blueprint=Blueprint(**paper["blueprint"]), seed=paper["seed"], mode=mode,
                            items=paper["items"], now=started_at)
    if attempt.items != paper["items"]:
        raise AttemptConflict(msg("this request id was already used for another paper"))
    if attempt.status != "final":
        attempt.device_started_at, attempt.device_submitted_at, attempt.synced_at = started, submitted, now
    return submit_attempt(session, attempt, submission_id=submission_id, responses=responses,
                          reexam_days=reexam_days, now=max(started_at, stamp.trusted(submitted, now)))


@dataclass(frozen=True)
class OfflineMark:
    client_id: str
    phase: int
    step: int
    mark: str
    note: str
    elapsed_seconds: float | None
    device_time: datetime | None


def _same_drill(run: DrillRun, marks: list[OfflineMark], ratings: dict[str, str]) -> bool:
    """Whether a finished run already holds exactly these marks and ratings (a retried record)."""
    held = {mark.client_id: (mark.phase, mark.step, mark.mark, mark.note) for mark in run.marks}
    sent = {mark.client_id: (mark.phase, mark.step, mark.mark, mark.note.strip()) for mark in marks}
    return held == sent and run.phase_ratings == ratings


def record_offline_drill(session: Session, *, ticket: dict[str, Any], examiner: User, client_id: str,
                         template_version_id: int, participants: list[Any], started: datetime | None,
                         marks: list[OfflineMark], ratings: dict[str, str], finished: datetime | None,
                         rectify_days: int = 30, now: datetime | None = None) -> DrillRun:
    """Store and score a drill run offline; ``ticket`` is the pack's signed stamp for the enterprise."""
    stamp = Stamp.of(ticket, examiner)
    version = session.get(DrillTemplateVersion, template_version_id)
    if version is None:
        raise AttemptError(msg("no such drill template"))
    now = now or utcnow()
    started_at = stamp.trusted(started, now)
    stored = session.scalar(select(DrillRun).where(DrillRun.client_id == client_id))
    workers = list({worker.id: worker for worker in (offline_worker(session, stamp.enterprise_id, named)
                                                     for named in participants)}.values())
    run = start_run(session, client_id=client_id, inspection=_inspection(session, stored, stamp, examiner, started_at),
                    template=version, examiner=examiner, participants=workers)
    if run.status == "finished":
        if _same_drill(run, marks, {str(phase): rating for phase, rating in ratings.items()}):
            return run
        raise DrillConflict(msg("this drill was already finished with other marks"))
    start_clock(session, run, device_time=started, now=started_at)
    for mark in marks:
        mark_step(session, run, client_id=mark.client_id, phase=mark.phase, step=mark.step, mark=mark.mark,
                  note=mark.note, elapsed_seconds=mark.elapsed_seconds, device_time=mark.device_time,
                  now=max(started_at, stamp.trusted(mark.device_time, now)))
    for phase, rating in ratings.items():
        rate_phase(session, run, int(phase), rating)
    run.synced_at = now
    finish_run(session, run, rectify_days=rectify_days, now=max(started_at, stamp.trusted(finished, now)))
    return run
