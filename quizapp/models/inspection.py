"""Inspections (执法检查): opened by scanning the enterprise's QR poster, closed with their record."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.base import utcnow
from quizapp.models.enterprise import Enterprise, new_public_token
from quizapp.models.user import User

INSPECTION_KINDS = ("routine", "assistance", "covert", "follow-up")  # 日常 / 帮扶 / 暗访 / 复查


class Inspection(db.Model):
    __tablename__ = "inspections"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        CheckConstraint("kind IN ('routine', 'assistance', 'covert', 'follow-up')", name="kind"),
        # A second scan on the same day must find the same inspection, even when two tablets race.
        Index("uq_inspections_open_per_day", "enterprise_id", "local_date", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_public_token)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="routine")
    status: Mapped[str] = mapped_column(String(8), default="open")
    local_date: Mapped[date] = mapped_column(Date)  # the day in Asia/Shanghai
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    enterprise: Mapped[Enterprise] = relationship()
    opened_by: Mapped[User] = relationship()
    team: Mapped[list[TeamMember]] = relationship(back_populates="inspection", order_by="TeamMember.checked_in_at",
                                                  cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Inspection {self.enterprise_id} {self.local_date} {self.status}>"


class TeamMember(db.Model):
    """An inspector on the team, with the time they checked in (入企扫码)."""

    __tablename__ = "inspection_team"

    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    checked_in_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="team")
    user: Mapped[User] = relationship()
