"""Opening, joining and closing inspections. Functions add and flush; the caller commits."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quizapp.bank.problems import msg
from quizapp.models import Enterprise, Inspection, TeamMember, User
from quizapp.models.base import utcnow

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


class InspectionError(Exception):
    """An action the inspection's state does not allow; the message says why."""


def local_today(now: datetime | None = None) -> date:
    """Inspections belong to the day in Asia/Shanghai, not the server's UTC date."""
    return (now or utcnow()).astimezone(LOCAL_ZONE).date()


def open_inspection_today(session: Session, enterprise: Enterprise, today: date) -> Inspection | None:
    return session.scalar(select(Inspection).where(Inspection.enterprise_id == enterprise.id,
                                                   Inspection.local_date == today, Inspection.status == "open"))


def check_in(session: Session, enterprise: Enterprise, inspector: User, kind: str = "routine",
             now: datetime | None = None) -> Inspection:
    """The inspector scanned the poster: join today's open inspection, or open one.

    Scanning again changes nothing. Two tablets opening at the same moment end up in one inspection:
    the database allows one open inspection per enterprise and day.
    """
    now = now or utcnow()
    today = local_today(now)
    inspection = open_inspection_today(session, enterprise, today)
    if inspection is None:
        inspection = Inspection(enterprise=enterprise, kind=kind, local_date=today, opened_at=now,
                                opened_by_id=inspector.id)
        try:
            with session.begin_nested():
                session.add(inspection)
        except IntegrityError:
            inspection = open_inspection_today(session, enterprise, today)
    if not any(member.user_id == inspector.id for member in inspection.team):
        inspection.team.append(TeamMember(user_id=inspector.id, checked_in_at=now))
    session.flush()
    return inspection


def close_inspection(session: Session, inspection: Inspection, inspector: User) -> None:
    """Close (and so lock) an inspection; only a member of its team may."""
    if inspection.status != "open":
        raise InspectionError(msg("the inspection is already closed"))
    if not any(member.user_id == inspector.id for member in inspection.team):
        raise InspectionError(msg("only a member of the inspection team may close it"))
    inspection.status = "closed"
    inspection.closed_at = utcnow()
    session.flush()
