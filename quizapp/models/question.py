"""Questions and their immutable versions.

A ``Question`` is the stable identity (its bank code and status); every change of content creates a
new ``QuestionVersion``. Results later point at the version that was asked, so a version is never
updated or deleted once written.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    event,
)
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.base import CreatedAtMixin, utcnow
from quizapp.models.taxonomy import Industry, LegalSource, Role, Topic

QUESTION_TYPES = ("single", "multiple", "judge", "fill", "oral", "practical")
QUESTION_STATUSES = ("active", "retired")
DRAW_KEY_RANGE = 2**31


def new_draw_key() -> int:
    """A version's fixed random place in the drawing order (see ``quizapp.exam.pool``)."""
    return secrets.randbelow(DRAW_KEY_RANGE)


def _tag_table(name: str, column: str, target_table: str) -> Table:
    """An association table between question versions and one kind of taxonomy term."""
    return Table(
        name,
        db.metadata,
        Column("version_id", ForeignKey("question_versions.id", ondelete="CASCADE"), primary_key=True),
        Column(f"{column}_id", ForeignKey(f"{target_table}.id"), primary_key=True, index=True),
    )


version_roles = _tag_table("question_version_roles", "role", "roles")
version_topics = _tag_table("question_version_topics", "topic", "topics")
version_industries = _tag_table("question_version_industries", "industry", "industries")


class Question(CreatedAtMixin, db.Model):
    __tablename__ = "questions"
    __table_args__ = (CheckConstraint("status IN ('active', 'retired')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    current_number: Mapped[int] = mapped_column(Integer, default=1)
    # Where the question was last imported from (a bank-relative path), and the content hash the file
    # had then: a re-import creates a version only when the file changed, so web edits survive it.
    source_file: Mapped[str | None] = mapped_column(String(255), index=True)
    file_hash: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question", order_by="QuestionVersion.number", cascade="all, delete-orphan"
    )
    current_version: Mapped[QuestionVersion] = relationship(
        primaryjoin=lambda: and_(
            Question.id == foreign(QuestionVersion.question_id),
            Question.current_number == foreign(QuestionVersion.number),
        ),
        viewonly=True,
        uselist=False,
    )

    def __repr__(self) -> str:
        return f"<Question {self.code} v{self.current_number}>"


class QuestionVersion(CreatedAtMixin, db.Model):
    __tablename__ = "question_versions"
    __table_args__ = (
        UniqueConstraint("question_id", "number", name="uq_question_versions_question_number"),
        CheckConstraint("difficulty BETWEEN 1 AND 5", name="difficulty"),
        CheckConstraint(
            "type IN ('single', 'multiple', 'judge', 'fill', 'oral', 'practical')", name="type"
        ),
        Index("ix_question_versions_type_draw_key", "type", "draw_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(16))
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer: Mapped[Any] = mapped_column(JSON, nullable=True)
    key_points: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    explanation: Mapped[str] = mapped_column(Text, default="")
    difficulty: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(255), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    draw_key: Mapped[int] = mapped_column(Integer, default=new_draw_key)

    question: Mapped[Question] = relationship(back_populates="versions")
    roles: Mapped[list[Role]] = relationship(secondary=version_roles, order_by=Role.position)
    industries: Mapped[list[Industry]] = relationship(
        secondary=version_industries, order_by=Industry.position
    )
    topics: Mapped[list[Topic]] = relationship(secondary=version_topics, order_by=Topic.position)
    basis: Mapped[list[QuestionBasis]] = relationship(
        order_by="QuestionBasis.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<QuestionVersion {self.question_id} v{self.number}>"


class QuestionBasis(db.Model):
    """One legal citation of a version: a source from the taxonomy and the article within it."""

    __tablename__ = "question_basis"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("question_versions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    source_id: Mapped[int] = mapped_column(ForeignKey("legal_sources.id"), index=True)
    article: Mapped[str] = mapped_column(String(64), default="")

    source: Mapped[LegalSource] = relationship()


class ImmutableVersionError(RuntimeError):
    """Raised when code tries to change or delete a written question version."""


@event.listens_for(QuestionVersion, "before_update")
def _refuse_version_update(mapper, connection, target: QuestionVersion) -> None:
    raise ImmutableVersionError(f"question version {target.id} is immutable; create a new version")


@event.listens_for(QuestionVersion, "before_delete")
def _refuse_version_delete(mapper, connection, target: QuestionVersion) -> None:
    raise ImmutableVersionError(f"question version {target.id} is immutable; retire the question")
