"""The audit trail: an append-only, hash-chained record of every write to inspections (and their teams), attempts
(with their responses), findings, drill runs and step marks, workers and certificates, users, and the bank's
questions and drill templates (with their versions and citations).

Writes are caught from the ORM's flush, so every code path (views, API, CLI, imports) is recorded without the
caller doing anything; the entries of a flush are appended in one INSERT right after it, in the same transaction,
so a write that is rolled back leaves no entry. Bulk statements bypass the flush: code that issues them appends
with ``record`` (the bank importer records each row it writes; the demo records one entry with its counts).
``attempt_items`` and ``topic_tallies`` are not audited: they are statistics derived from the attempts and can
be rebuilt from them.

Each entry's hash covers the previous entry's hash and the entry's own fields as canonical JSON, so a changed or
removed entry breaks the chain (``quizapp.audit.verify_chain``). Password hashes and ID-number hashes are never
copied into it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Connection,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    event,
    func,
    inspect,
    select,
)
from sqlalchemy.orm import InstanceState, Mapped, Mapper, Session, mapped_column
from sqlalchemy.sql import ClauseElement

from quizapp.extensions import db
from quizapp.models.attempt import Attempt, Finding
from quizapp.models.base import utcnow
from quizapp.models.drill import DrillTemplate, DrillTemplateVersion
from quizapp.models.drill_run import DrillRun, DrillStepMark
from quizapp.models.enterprise import Certificate, Worker
from quizapp.models.inspection import Inspection, TeamMember
from quizapp.models.question import Question, QuestionBasis, QuestionVersion
from quizapp.models.user import User

AUDITED_MODELS = (Inspection, TeamMember, Attempt, Finding, DrillRun, DrillStepMark, Worker, Certificate, User,
                  Question, QuestionVersion, QuestionBasis, DrillTemplate, DrillTemplateVersion)
REDACTED_COLUMNS = {"users": {"password_hash"}, "workers": {"id_number_hash"}}
REDACTED = "[redacted]"  # the column changed; its value is a secret and stays out of the trail
GENESIS_HASH = "0" * 64  # the previous hash of the first entry
CHAIN_LOCK = 0x61756474  # "audt": the PostgreSQL advisory lock that queues writers at the chain's head
HASHED_FIELDS = ("position", "occurred_at", "actor_id", "actor_label", "action", "table_name", "row_id", "before",
                 "after", "reason")
ACTOR_KEY = "audit_actor"  # session.info: who writes outside a request ("cli" when unset), e.g. "system"
REASON_KEY = "audit_reason"  # session.info: why; set with ``audit_reason``
_PENDING_KEY = "audit_pending"  # session.info: the entries of the flush under way
_OLD_VALUES_KEY = "audit_old_values"  # session.info: values read before an UPDATE for attributes set unloaded
_ACTOR_CACHE_KEY = "audit_flush_actor"
_LOCKED_KEY = "audit_locked_in"  # session.info: the transaction (or savepoint) that took the chain's lock


class AuditTrailError(RuntimeError):
    """Raised when code tries to write the trail other than by appending to its head."""


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        CheckConstraint("action IN ('insert', 'update', 'delete')", name="action"),
        Index("ix_audit_events_table_row", "table_name", "row_id"),
    )

    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # 1, 2, 3 …
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # No foreign key: the trail outlives whatever it names.
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_label: Mapped[str] = mapped_column(String(64))  # the username, or cli / system / anonymous
    action: Mapped[str] = mapped_column(String(8))
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[str] = mapped_column(String(64))  # the primary key; a composite one joined with commas
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the changed columns of an update; a deleted row
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the changed columns of an update; an inserted row
    reason: Mapped[str] = mapped_column(Text, default="")
    # Unique: two writers that read the same head cannot both append after it, so the chain never forks.
    previous_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64))

    def computed_hash(self) -> str:
        return entry_hash(self.previous_hash, {name: getattr(self, name) for name in HASHED_FIELDS})

    def __repr__(self) -> str:
        return f"<AuditEvent {self.position} {self.action} {self.table_name} {self.row_id}>"


def utc_iso(moment: datetime) -> str:
    """One spelling per instant: SQLite hands stored times back without their zone (they are UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="microseconds")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def entry_hash(previous_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the entry's fields as canonical JSON (sorted keys, UTF-8, ISO times)."""
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain)
    return hashlib.sha256(previous_hash.encode() + canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Change:
    """One row written, as it goes into the trail."""

    action: str
    table_name: str
    row_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _normal(value: Any) -> Any:
    return _plain(value) if isinstance(value, date) else value


def _stored(table_name: str, values: dict[str, Any]) -> dict[str, Any]:
    """Column values as the trail keeps them: times as ISO text, secrets redacted."""
    stored = {column: _plain(value) if isinstance(value, date) else value for column, value in values.items()}
    for column in REDACTED_COLUMNS.get(table_name, ()):
        if stored.get(column) is not None:
            stored[column] = REDACTED
    return stored


def inserted(table_name: str, row_id: Any, row: dict[str, Any]) -> Change:
    return Change("insert", table_name, str(row_id), None, _stored(table_name, row))


def deleted(table_name: str, row_id: Any, row: dict[str, Any]) -> Change:
    return Change("delete", table_name, str(row_id), _stored(table_name, row), None)


def updated(table_name: str, row_id: Any, before: dict[str, Any], after: dict[str, Any]) -> Change | None:
    """The columns of ``after`` whose value differs from ``before`` (all of its columns), or None when none does."""
    changed = [column for column in after if _normal(before[column]) != _normal(after[column])]
    if not changed:
        return None
    return Change("update", table_name, str(row_id), _stored(table_name, {c: before[c] for c in changed}),
                  _stored(table_name, {c: after[c] for c in changed}))


def _actor(session: Session) -> tuple[int | None, str]:
    """The signed-in user in a request; outside one, the label the session carries (``cli`` when none)."""
    if has_request_context():
        if current_user.is_authenticated:
            return current_user.id, current_user.username
        return None, session.info.get(ACTOR_KEY, "anonymous")
    return None, session.info.get(ACTOR_KEY, "cli")


def _lock_chain(session: Session) -> Connection:
    """On PostgreSQL, queue concurrent writers until this transaction ends; SQLite's write lock does it there.

    Taken once per transaction, or savepoint: rolling a savepoint back releases what was locked inside it.
    """
    connection = session.connection()
    transaction = connection.get_nested_transaction() or connection.get_transaction()
    if connection.dialect.name == "postgresql" and session.info.get(_LOCKED_KEY) is not transaction:
        connection.execute(select(func.pg_advisory_xact_lock(CHAIN_LOCK)))
        session.info[_LOCKED_KEY] = transaction
    return connection


def _append(session: Session, drafts: list[dict[str, Any]]) -> None:
    """Hash the drafts onto the chain's head and insert them in one statement."""
    connection = _lock_chain(session)
    table = AuditEvent.__table__
    head = connection.execute(select(table.c.position, table.c.hash).order_by(table.c.position.desc()).limit(1)).first()
    position, previous = head if head else (0, GENESIS_HASH)
    now, rows = utcnow(), []
    for draft in drafts:
        position += 1
        fields = {**draft, "position": position, "occurred_at": now}
        digest = entry_hash(previous, fields)
        rows.append({**fields, "previous_hash": previous, "hash": digest})
        previous = digest
    connection.execute(table.insert(), rows)


def _draft(change: Change, actor: tuple[int | None, str], reason: str) -> dict[str, Any]:
    return {"actor_id": actor[0], "actor_label": actor[1], "action": change.action, "table_name": change.table_name,
            "row_id": change.row_id, "before": change.before, "after": change.after, "reason": reason}


def record(session: Session, changes: Iterable[Change]) -> None:
    """Append rows written by bulk statements, which the flush does not see; the ORM's writes record themselves."""
    actor, reason = _actor(session), session.info.get(REASON_KEY, "")
    drafts = [_draft(change, actor, reason) for change in changes]
    if drafts:
        _append(session, drafts)


@contextmanager
def audit_reason(session: Session, reason: str) -> Iterator[None]:
    """Give the writes made inside the block ``reason`` in the trail. Pending writes are flushed on entry (they keep
    their own reason) and the block's on exit (they get this one)."""
    session.flush()
    previous = session.info.get(REASON_KEY)
    session.info[REASON_KEY] = reason
    try:
        yield
        session.flush()
    finally:
        if previous is None:
            session.info.pop(REASON_KEY, None)
        else:
            session.info[REASON_KEY] = previous


# --- catching the ORM's writes ------------------------------------------------------------------------------------

@cache
def _columns(mapper: Mapper) -> tuple[tuple[str, str], ...]:
    """(attribute, column name) of every column a mapped class has."""
    return tuple((prop.key, prop.columns[0].name) for prop in mapper.column_attrs)


@cache
def _collections(mapper: Mapper) -> tuple[str, ...]:
    """Many-to-many collections (a drill's participants): their association rows are part of the owner's entry."""
    return tuple(rel.key for rel in mapper.relationships if rel.secondary is not None and not rel.viewonly)


def _key(state: InstanceState) -> list[Any]:
    """The primary key's values; a row just inserted has no identity yet, but holds them."""
    mapper = state.mapper
    return list(state.identity or [state.dict.get(mapper.get_property_by_column(column).key)
                                   for column in mapper.primary_key])


def _row_id(state: InstanceState) -> str:
    return ",".join(str(value) for value in _key(state))  # a composite key joined with commas


def _from_database(connection: Connection, mapper: Mapper, state: InstanceState, keys: list[str]) -> dict[str, Any]:
    """The stored values of attributes the object does not hold (expired, or set without being loaded)."""
    columns = [mapper.get_property(key).columns[0] for key in keys]
    where = [column == value for column, value in zip(mapper.primary_key, _key(state), strict=True)]
    row = connection.execute(select(*columns).where(*where)).one()
    return {column.name: value for column, value in zip(columns, row, strict=True)}


def _whole_row(connection: Connection, mapper: Mapper, state: InstanceState, just_inserted: bool) -> dict[str, Any]:
    """Every column's value. A column an INSERT left out is NULL, unless the database has a default for it."""
    row, unknown = {}, []
    for key, column in _columns(mapper):
        if key in state.dict:
            row[column] = state.dict[key]
        elif just_inserted and mapper.get_property(key).columns[0].server_default is None:
            row[column] = None
        else:
            unknown.append(key)
    if unknown:
        row.update(_from_database(connection, mapper, state, unknown))
    return row


def _queue(state: InstanceState, change: Change | None) -> None:
    if change is None:
        return
    session = state.session
    if _ACTOR_CACHE_KEY not in session.info:
        session.info[_ACTOR_CACHE_KEY] = _actor(session)
    session.info.setdefault(_PENDING_KEY, []).append(
        _draft(change, session.info[_ACTOR_CACHE_KEY], session.info.get(REASON_KEY, "")))


def _after_insert(mapper: Mapper, connection: Connection, target: Any) -> None:
    state = inspect(target)
    row = _whole_row(connection, mapper, state, just_inserted=True)
    for key in _collections(mapper):
        row[key] = sorted(_row_id(inspect(item)) for item in state.dict.get(key, ()))
    _queue(state, inserted(mapper.local_table.name, _row_id(state), row))


def _before_update(mapper: Mapper, connection: Connection, target: Any) -> None:
    """Read the old value of attributes that were set without being loaded: after the UPDATE it is gone."""
    state = inspect(target)
    unloaded = [key for key, _ in _columns(mapper)
                if (history := state.attrs[key].history).has_changes() and not history.deleted]
    if unloaded:
        state.session.info.setdefault(_OLD_VALUES_KEY, {})[state] = _from_database(connection, mapper, state, unloaded)


def _after_update(mapper: Mapper, connection: Connection, target: Any) -> None:
    state = inspect(target)
    old = state.session.info.get(_OLD_VALUES_KEY, {}).pop(state, {})
    before, after = {}, {}
    for key, column in _columns(mapper):
        history = state.attrs[key].history
        if history.has_changes():
            before[column] = history.deleted[0] if history.deleted else old.get(column)
            after[column] = state.dict.get(key)
    expressions = [key for key, column in _columns(mapper)
                   if column in after and (key not in state.dict or isinstance(after[column], ClauseElement))]
    if expressions:  # a value computed by the database
        after.update(_from_database(connection, mapper, state, expressions))
    if after:
        _queue(state, updated(mapper.local_table.name, _row_id(state), before, after))


def _before_delete(mapper: Mapper, connection: Connection, target: Any) -> None:
    state = inspect(target)
    row = _whole_row(connection, mapper, state, just_inserted=False)
    _queue(state, deleted(mapper.local_table.name, _row_id(state), row))


for _model in AUDITED_MODELS:
    event.listen(_model, "after_insert", _after_insert)
    event.listen(_model, "before_update", _before_update)
    event.listen(_model, "after_update", _after_update)
    event.listen(_model, "before_delete", _before_delete)


@event.listens_for(Session, "before_flush")
def _start_flush(session: Session, flush_context, instances) -> None:
    """Forget the entries of a flush that failed. When this one writes audited rows, learn who writes (before the
    flush runs, so that the signed-in user is not loaded halfway through it), and take the chain's lock before the
    flush's row locks rather than after them, which would let two writers wait for each other."""
    for key in (_PENDING_KEY, _OLD_VALUES_KEY, _ACTOR_CACHE_KEY):
        session.info.pop(key, None)
    if any(isinstance(item, AUDITED_MODELS) for group in (session.new, session.dirty, session.deleted)
           for item in group):
        session.info[_ACTOR_CACHE_KEY] = _actor(session)
        _lock_chain(session)


@event.listens_for(Session, "after_flush")
def _append_flushed(session: Session, flush_context) -> None:
    drafts = session.info.pop(_PENDING_KEY, None)
    if drafts:
        _append(session, drafts)


# --- the trail itself is append-only ------------------------------------------------------------------------------

@event.listens_for(AuditEvent, "before_insert")
@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_writing_entries(mapper, connection, target: AuditEvent) -> None:
    raise AuditTrailError("the audit trail is append-only: entries are written by quizapp.models.audit, never changed")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(orm_execute_state) -> None:
    if ((orm_execute_state.is_update or orm_execute_state.is_delete)
            and orm_execute_state.bind_mapper is not None and orm_execute_state.bind_mapper.class_ is AuditEvent):
        raise AuditTrailError("the audit trail is append-only: its entries are never updated or deleted")
