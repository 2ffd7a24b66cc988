"""Attempts (one worker's paper in one inspection) and findings. A final attempt is never changed:
a correction is a new attempt that names the one it corrects and why."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    delete,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.sql.functions import GenericFunction

from quizapp.extensions import db
from quizapp.models.base import CreatedAtMixin, refuse_changes_once, utcnow
from quizapp.models.enterprise import Worker, new_public_token
from quizapp.models.inspection import Inspection
from quizapp.models.question import version_topics
from quizapp.models.user import User


class DrawnPaper:
    """The columns of a drawn paper and its scored answers, shared by attempts and practice quizzes."""

    blueprint: Mapped[dict[str, Any]] = mapped_column(JSON)  # the blueprint as it was when drawn
    seed: Mapped[int] = mapped_column(BigInteger)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # question, version, type, option order
    status: Mapped[str] = mapped_column(String(16), default="in_progress")
    responses: Mapped[list[Any] | None] = mapped_column(JSON)
    submission_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    submission_hash: Mapped[str | None] = mapped_column(String(64))
    item_scores: Mapped[list[float] | None] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Attempt(DrawnPaper, db.Model):
    __tablename__ = "attempts"
    __table_args__ = (
        CheckConstraint("status IN ('in_progress', 'final')", name="status"),
        CheckConstraint("mode IN ('tablet', 'oral', 'paper')", name="mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_public_token)
    client_id: Mapped[str] = mapped_column(String(36), unique=True)  # the UUID the tablet made
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    examiner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    mode: Mapped[str] = mapped_column(String(8), default="tablet")
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"))
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    # A result taken offline from an inspection pack (quizapp.exam.offline): the tablet's clock, kept beside the
    # server's, and when the server received it. All three are empty for a result entered online.
    device_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    device_submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    inspection: Mapped[Inspection] = relationship()
    worker: Mapped[Worker] = relationship()
    examiner: Mapped[User] = relationship()


class AttemptItem(db.Model):
    """One scored item of a final attempt, a row each, for statistics: which question (and version) was
    asked of whom, where and when, and the fraction of its points earned.

    Written once when the attempt is final and never changed, so the enterprise, role and day are copied
    here: analytics over a city's million answers then read one table instead of joining four.
    """

    __tablename__ = "attempt_items"
    __table_args__ = (Index("ix_attempt_items_enterprise_answered", "enterprise_id", "answered_on"),)

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"))
    type: Mapped[str] = mapped_column(String(16))
    fraction: Mapped[float] = mapped_column(Float)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    role_code: Mapped[str] = mapped_column(String(64))
    answered_on: Mapped[date] = mapped_column(Date)  # the inspection's day in Asia/Shanghai


class first_of_month(GenericFunction):  # noqa: N801 - used like SQL's own functions
    """The first day of a date's month, in SQL (SQLite and PostgreSQL spell it differently)."""

    type = Date()
    inherit_cache = True


@compiles(first_of_month, "sqlite")
def _first_of_month_sqlite(element, compiler, **kw) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(first_of_month, "postgresql")
def _first_of_month_postgresql(element, compiler, **kw) -> str:
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


class TopicTally(db.Model):
    """Answers and points earned per enterprise, role, topic and month, over the results in force: what the
    dashboard's weak topics read instead of grouping every attempt item once per topic.

    Kept up to date when an attempt becomes final (quizapp.exam.attempts.submit_attempt adds its items, and a
    correction takes away those of the result it replaces); ``rebuild`` recounts it from attempt_items.
    An item counts under every topic its version is tagged with.
    """

    __tablename__ = "topic_tallies"

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), primary_key=True)
    role_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # the first day of the month answered in
    answers: Mapped[int] = mapped_column(Integer)
    points: Mapped[float] = mapped_column(Float)  # the sum of the items' fractions

    @staticmethod
    def recount():
        """(enterprise, role, topic, month, answers, points) counted from attempt_items of the results in force."""
        replaced = select(Attempt.corrects_id).where(Attempt.corrects_id.is_not(None), Attempt.status == "final")
        month = first_of_month(AttemptItem.answered_on)
        return (select(AttemptItem.enterprise_id, AttemptItem.role_code, version_topics.c.topic_id, month,
                       func.count(), func.sum(AttemptItem.fraction))
                .join(version_topics, version_topics.c.version_id == AttemptItem.version_id)
                .where(AttemptItem.attempt_id.not_in(replaced))
                .group_by(AttemptItem.enterprise_id, AttemptItem.role_code, version_topics.c.topic_id, month))

    @classmethod
    def rebuild(cls, session: Session) -> None:
        """Recount the whole table from attempt_items (after bulk writes that bypass submit_attempt)."""
        session.execute(delete(cls))
        session.execute(insert(cls).from_select(["enterprise_id", "role_code", "topic_id", "month", "answers",
                                                 "points"], cls.recount()))


class FinalAttemptError(RuntimeError):
    """Raised when code tries to change or delete a final attempt."""


refuse_changes_once(Attempt, "final", FinalAttemptError)


@event.listens_for(Attempt, "before_delete")
def _refuse_deleting_final_attempts(mapper, connection, target: Attempt) -> None:
    if target.status == "final":
        raise FinalAttemptError(f"attempt {target.id} is final and cannot be deleted")


class Finding(CreatedAtMixin, db.Model):
    """A problem found in an inspection, with its legal basis and when it must be put right."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="", server_default="")  # e.g. which drill step went wrong
    drill_run_id: Mapped[int | None] = mapped_column(ForeignKey("drill_runs.id"))
    basis: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    due_on: Mapped[date] = mapped_column(Date)
    public_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_public_token)
    # Rectification (see quizapp.exam.rectification): the enterprise reports what it did, with a photo kept under
    # the instance folder; an inspector or admin then verifies it, or sends it back with a note. The reviewer is
    # kept either way; verified_at is set only when the work is accepted.
    rectified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rectification_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    rectification_photo: Mapped[str | None] = mapped_column(String(255))  # relative to instance/uploads
    rectified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verification_note: Mapped[str] = mapped_column(Text, default="", server_default="")

    inspection: Mapped[Inspection] = relationship()
    worker: Mapped[Worker | None] = relationship()
    attempt: Mapped[Attempt | None] = relationship()
    rectified_by: Mapped[User | None] = relationship(foreign_keys=[rectified_by_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
