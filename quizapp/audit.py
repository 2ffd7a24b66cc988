"""Reading the audit trail: checking the chain, and finding the entries about an inspection.

The trail is written by ``quizapp.models.audit`` (which also holds ``audit_reason``); this module only reads it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from quizapp.models import Attempt, AuditEvent, Finding, Inspection
from quizapp.models.audit import GENESIS_HASH
from quizapp.models.drill_run import DrillRun, DrillStepMark

BATCH = 2000


@dataclass(frozen=True)
class ChainCheck:
    """The outcome of walking the chain: how many entries are intact, and the first one that is not."""

    intact: int
    broken_at: int | None = None  # the position of the first entry changed or removed
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(session: Session) -> ChainCheck:
    """Walk the chain in position order and recompute every hash.

    A gap in the positions is a removed entry; a hash that does not match the entry's fields is a changed entry;
    a previous hash that does not match the entry before it means that entry was changed and its hash recomputed
    to hide it. Removing the newest entries leaves no trace in the chain itself: a printed record's position and
    hash show them missing.
    """
    expected_position, expected_previous = 1, GENESIS_HASH
    for entry in session.scalars(select(AuditEvent).order_by(AuditEvent.position)
                                 .execution_options(yield_per=BATCH)):
        if entry.position != expected_position:
            return ChainCheck(expected_position - 1, expected_position, f"entry {expected_position} was removed")
        if entry.previous_hash != expected_previous:
            return ChainCheck(entry.position - 2, entry.position - 1,
                              f"entry {entry.position - 1} was changed (entry {entry.position} names another hash "
                              "before it)")
        if entry.computed_hash() != entry.hash:
            return ChainCheck(entry.position - 1, entry.position, f"entry {entry.position} was changed")
        expected_position, expected_previous = entry.position + 1, entry.hash
    return ChainCheck(expected_position - 1)


def _rows_of(table: str, ids: Iterable[int]) -> ColumnElement[bool]:
    """Entries about the rows of ``table`` whose ids ``ids`` selects (row ids are stored as text)."""
    return and_(AuditEvent.table_name == table, AuditEvent.row_id.in_([str(row_id) for row_id in ids]))


def latest_entry_about(session: Session, inspection: Inspection) -> AuditEvent | None:
    """The newest entry touching the inspection, its team, attempts, findings or drills: printed on its record,
    it ties the paper to the chain."""
    runs = list(session.scalars(select(DrillRun.id).where(DrillRun.inspection_id == inspection.id)))
    about = or_(
        and_(AuditEvent.table_name == "inspections", AuditEvent.row_id == str(inspection.id)),
        and_(AuditEvent.table_name == "inspection_team", AuditEvent.row_id.startswith(f"{inspection.id},")),
        _rows_of("attempts", session.scalars(select(Attempt.id).where(Attempt.inspection_id == inspection.id))),
        _rows_of("findings", session.scalars(select(Finding.id).where(Finding.inspection_id == inspection.id))),
        _rows_of("drill_runs", runs),
        _rows_of("drill_step_marks", session.scalars(select(DrillStepMark.id).where(DrillStepMark.run_id.in_(runs)))),
    )
    return session.scalar(select(AuditEvent).where(about).order_by(AuditEvent.position.desc()).limit(1))


def entries(session: Session, table: str | None = None, row_id: str | None = None, limit: int = 50) -> list[AuditEvent]:
    """The newest entries, of one table (and row) when given, newest first."""
    query = select(AuditEvent).order_by(AuditEvent.position.desc()).limit(limit)
    if table:
        query = query.where(AuditEvent.table_name == table)
    if row_id:
        query = query.where(AuditEvent.row_id == row_id)
    return list(session.scalars(query))
