"""Blueprints (组卷方案) an admin has changed: at most one per role, overriding the built-in default.

A role with no row here uses the default in ``quizapp.exam.blueprint``. The role is referred to by its
code, as ``workers.role_code`` is, so a worker's blueprint is found from the worker alone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.base import utcnow
from quizapp.models.user import User


class BlueprintSetting(db.Model):
    __tablename__ = "blueprints"
    __table_args__ = (
        CheckConstraint("multiple_rule IN ('half_for_subset', 'all_or_nothing')", name="multiple_rule"),
        CheckConstraint("pass_mark BETWEEN 0 AND 100", name="pass_mark"),
        CheckConstraint("time_limit_minutes > 0", name="time_limit_minutes"),
        CheckConstraint("1 <= difficulty_min AND difficulty_min <= difficulty_max AND difficulty_max <= 5",
                        name="difficulty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role_code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    items: Mapped[dict[str, int]] = mapped_column(JSON)  # question type -> how many
    pass_mark: Mapped[int] = mapped_column(Integer)
    multiple_rule: Mapped[str] = mapped_column(String(16))
    time_limit_minutes: Mapped[int] = mapped_column(Integer)
    difficulty_min: Mapped[int] = mapped_column(Integer)
    difficulty_max: Mapped[int] = mapped_column(Integer)
    topic_weights: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # topic code -> relative weight
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    updated_by: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<BlueprintSetting {self.role_code}>"
