"""Column helpers shared by the model modules."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, event, inspect
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    """Times are stored in UTC and shown in Asia/Shanghai."""
    return datetime.now(UTC)


class CreatedAtMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def refuse_changes_once(model: type, status: str, error: type[Exception]) -> None:
    """Make rows of ``model`` unchangeable from the moment their stored ``status`` is ``status``: the update
    that sets it still goes through, any later one raises ``error``."""
    @event.listens_for(model, "before_update")
    def refuse(mapper, connection, target) -> None:
        history = inspect(target).attrs.status.history
        if (history.deleted[0] if history.deleted else target.status) == status:
            raise error(f"{model.__name__} {target.id} is {status}; record a new one instead")
