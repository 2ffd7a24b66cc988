"""Drill templates (模拟演练) and their immutable versions.

A ``DrillTemplate`` is the stable identity (its bank code and status); every change of content creates a
new ``DrillTemplateVersion``. Drill runs point at the version that was staged, so a version is never
updated or deleted once written — the same rule as for questions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Integer, String, UniqueConstraint, and_, event
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.base import CreatedAtMixin, utcnow
from quizapp.models.question import ImmutableVersionError


class DrillTemplate(CreatedAtMixin, db.Model):
    __tablename__ = "drill_templates"
    __table_args__ = (CheckConstraint("status IN ('active', 'retired')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    current_number: Mapped[int] = mapped_column(Integer, default=1)
    # As for questions: the bank-relative file and the content hash it had at the last import, so that a
    # re-import creates a version only when the file changed and edits made on the web survive it.
    source_file: Mapped[str | None] = mapped_column(String(255))
    file_hash: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    versions: Mapped[list[DrillTemplateVersion]] = relationship(
        back_populates="template", order_by="DrillTemplateVersion.number", cascade="all, delete-orphan"
    )
    current_version: Mapped[DrillTemplateVersion] = relationship(
        primaryjoin=lambda: and_(
            DrillTemplate.id == foreign(DrillTemplateVersion.template_id),
            DrillTemplate.current_number == foreign(DrillTemplateVersion.number),
        ),
        viewonly=True,
        uselist=False,
    )

    def __repr__(self) -> str:
        return f"<DrillTemplate {self.code} v{self.current_number}>"


class DrillTemplateVersion(CreatedAtMixin, db.Model):
    __tablename__ = "drill_template_versions"
    __table_args__ = (UniqueConstraint("template_id", "number", name="uq_drill_template_versions_template_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("drill_templates.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # ``DrillSpec.content`` exactly as quizapp.bank.drills produces it: title, scenario, industries, roles,
    # scope, form, duration_minutes, phases with their steps, basis.
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    template: Mapped[DrillTemplate] = relationship(back_populates="versions")

    def __repr__(self) -> str:
        return f"<DrillTemplateVersion {self.template_id} v{self.number}>"


@event.listens_for(DrillTemplateVersion, "before_update")
def _refuse_version_update(mapper, connection, target: DrillTemplateVersion) -> None:
    raise ImmutableVersionError(f"drill template version {target.id} is immutable; create a new version")


@event.listens_for(DrillTemplateVersion, "before_delete")
def _refuse_version_delete(mapper, connection, target: DrillTemplateVersion) -> None:
    raise ImmutableVersionError(f"drill template version {target.id} is immutable; retire the template")
