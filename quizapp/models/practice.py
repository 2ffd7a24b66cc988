"""Practice quizzes: an enterprise's own drill of its staff on their weak topics.

Kept in a table of their own, apart from attempts: nothing official (inspections, findings, the review's and
the dashboard's figures, item statistics) ever reads them. A final practice quiz is not changed either, so
that what a worker was shown as their result stays what it was.
"""

from __future__ import annotations

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.attempt import DrawnPaper
from quizapp.models.base import refuse_changes_once
from quizapp.models.enterprise import Enterprise, Worker, new_public_token
from quizapp.models.user import User


class PracticeQuiz(DrawnPaper, db.Model):
    __tablename__ = "practice_quizzes"
    __table_args__ = (CheckConstraint("status IN ('in_progress', 'final')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_public_token)
    client_id: Mapped[str] = mapped_column(String(36), unique=True)  # the UUID of the request that made it
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    topic_codes: Mapped[list[str]] = mapped_column(JSON)  # the topics it aims at

    enterprise: Mapped[Enterprise] = relationship()
    worker: Mapped[Worker] = relationship()
    created_by: Mapped[User] = relationship()


class FinalPracticeError(RuntimeError):
    """Raised when code tries to change a final practice quiz."""


refuse_changes_once(PracticeQuiz, "final", FinalPracticeError)
