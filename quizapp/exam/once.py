"""Storing a row keyed by a client-made UUID once, even when the same request races itself.

A tablet on a bad network resends; two copies of one request can then reach two app servers at the same
moment. Both find nothing stored, both insert, and the database's unique index lets only one through.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

Row = TypeVar("Row")


def insert_or_stored(session: Session, row: Row, stored: Callable[[], Row | None]) -> Row:
    """Insert ``row`` in a savepoint; if a concurrent request stored the same key first, return ``stored()``.

    On PostgreSQL the second insert waits for the first transaction, then fails on the unique index: only the
    savepoint is rolled back, the caller's transaction goes on, and the row the other request committed is
    read back. The caller checks that row as it checks any retry (same content, or a conflict).
    """
    _open_transaction(session)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        found = stored()
        if found is None:
            raise
        return found
    return row


def _open_transaction(session: Session) -> None:
    """SQLite's driver begins a transaction only before a write: a savepoint that came first would run outside
    one, and its release would commit the row for good, even if the request were refused afterwards."""
    if session.get_bind().dialect.name == "sqlite":
        driver = session.connection().connection.dbapi_connection
        if not driver.in_transaction:
            driver.execute("BEGIN")
