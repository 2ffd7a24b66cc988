"""Drill runs (模拟演练) staged during an inspection: who took part, each step as it was marked, the score.

Every step mark is its own row with the client-made UUID of the tap that sent it, so a mark sent twice
over a bad network is stored once, and a later mark of the same step (a correction while the drill is
running) is kept beside the earlier one: the latest counts. A finished run is never changed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.base import refuse_changes_once, utcnow
from quizapp.models.drill import DrillTemplateVersion
from quizapp.models.enterprise import Worker, new_public_token
from quizapp.models.inspection import Inspection
from quizapp.models.user import User

drill_participants = Table(
    "drill_participants",
    db.metadata,
    Column("run_id", ForeignKey("drill_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("worker_id", ForeignKey("workers.id"), primary_key=True),
)


class DrillRun(db.Model):
    __tablename__ = "drill_runs"
    __table_args__ = (CheckConstraint("status IN ('running', 'finished')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_public_token)
    client_id: Mapped[str] = mapped_column(String(36), unique=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    template_version_id: Mapped[int] = mapped_column(ForeignKey("drill_template_versions.id"))
    examiner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default="running")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # server time of the start tap
    device_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # the tablet's clock
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # run offline: when it arrived
    phase_ratings: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # phase index → P / S / M / U
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)

    inspection: Mapped[Inspection] = relationship()
    template_version: Mapped[DrillTemplateVersion] = relationship()
    examiner: Mapped[User] = relationship()
    participants: Mapped[list[Worker]] = relationship(secondary=drill_participants, order_by=Worker.name)
    marks: Mapped[list[DrillStepMark]] = relationship(back_populates="run", order_by="DrillStepMark.id")

    @property
    def content(self) -> dict[str, Any]:
        return self.template_version.content


class DrillStepMark(db.Model):
    __tablename__ = "drill_step_marks"
    __table_args__ = (CheckConstraint("mark IN ('done', 'late', 'wrong', 'missed')", name="mark"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36), unique=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("drill_runs.id"), index=True)
    phase: Mapped[int] = mapped_column(Integer)
    step: Mapped[int] = mapped_column(Integer)
    mark: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(Text, default="")
    elapsed_seconds: Mapped[float | None] = mapped_column(Float)  # since the start, by the tablet's clock
    device_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    server_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    run: Mapped[DrillRun] = relationship(back_populates="marks")


class FinishedDrillError(RuntimeError):
    """Raised when code tries to change a finished drill run or its marks."""


refuse_changes_once(DrillRun, "finished", FinishedDrillError)


@event.listens_for(DrillStepMark, "before_update")
@event.listens_for(DrillStepMark, "before_delete")
def _refuse_changing_marks(mapper, connection, target: DrillStepMark) -> None:
    raise FinishedDrillError("a step mark is kept as sent; send a new mark instead")
