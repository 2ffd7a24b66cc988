"""Accounts: bureau admins, inspectors, and enterprise users bound to one enterprise."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from quizapp.extensions import db
from quizapp.models.base import CreatedAtMixin
from quizapp.models.enterprise import Enterprise

USER_ROLES = ("admin", "inspector", "enterprise")


class User(UserMixin, CreatedAtMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'inspector', 'enterprise')", name="role"),
        # An enterprise account without its enterprise could see nothing or, worse, everything.
        CheckConstraint(
            "(role = 'enterprise' AND enterprise_id IS NOT NULL)"
            " OR (role <> 'enterprise' AND enterprise_id IS NULL)",
            name="enterprise_binding",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    enterprise: Mapped[Enterprise | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts through this
        return self.is_enabled

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.username} ({self.role})>"
