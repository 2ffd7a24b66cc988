"""Paper quiz sheets (纸质试卷): papers drawn and printed before or during a visit, entered afterwards.

A sheet holds its paper (the seed and the frozen items, like an attempt) and a random token for the QR
code printed on it. Entering its answers creates the attempt (mode "paper"); a sheet printed for one
worker during an inspection is linked to that worker's attempt from the start.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.attempt import Attempt
from quizapp.models.base import utcnow
from quizapp.models.enterprise import Enterprise, new_public_token
from quizapp.models.inspection import Inspection


class PaperSheet(db.Model):
    __tablename__ = "paper_sheets"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_public_token)  # in the QR code
    batch: Mapped[str] = mapped_column(String(64), index=True)  # the sheets printed together
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"))
    role_code: Mapped[str] = mapped_column(String(64))
    blueprint: Mapped[dict[str, Any]] = mapped_column(JSON)
    seed: Mapped[int] = mapped_column(BigInteger)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None when printed by the CLI
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    enterprise: Mapped[Enterprise] = relationship()
    inspection: Mapped[Inspection | None] = relationship()
    attempt: Mapped[Attempt | None] = relationship()
