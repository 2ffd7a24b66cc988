"""``quizapp audit``: check the audit trail's chain, and read its entries."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

from quizapp.audit import entries, verify_chain
from quizapp.extensions import db
from quizapp.models.audit import utc_iso

audit = AppGroup("audit", help="The append-only, hash-chained audit trail of every write to results and records.")


@audit.command("verify")
def audit_verify() -> None:
    """Recompute every entry's hash in order; name the first entry changed or removed and exit 1, else exit 0."""
    check = verify_chain(db.session)
    if not check.ok:
        click.echo(f"Audit trail broken at entry {check.broken_at}: {check.problem}; "
                   f"the {check.intact} entries before it are intact.", err=True)
        sys.exit(1)
    click.echo(f"Audit trail intact: {check.intact} entries.")


@audit.command("show")
@click.option("--table", help="Only entries about this table, e.g. attempts.")
@click.option("--row", "row_id", help="Only entries about this row id (with --table).")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True, help="How many of the newest.")
def audit_show(table: str | None, row_id: str | None, limit: int) -> None:
    """Print the newest entries, newest first: position, time (UTC), who, what, why, and the changed values."""
    for entry in entries(db.session, table, row_id, limit):
        click.echo(f"#{entry.position} {utc_iso(entry.occurred_at)} {entry.actor_label} {entry.action} "
                   f"{entry.table_name} {entry.row_id}" + (f" — {entry.reason}" if entry.reason else ""))
        for label, values in (("before", entry.before), ("after", entry.after)):
            if values is not None:
                click.echo(f"    {label}: {json.dumps(values, ensure_ascii=False, sort_keys=True)}")
