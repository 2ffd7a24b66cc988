"""Backing up and restoring the whole database: ``quizapp backup OUT`` and ``quizapp restore IN``.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot while the app keeps
writing, and restores the same way into the live file. PostgreSQL: ``pg_dump --format=custom``, restored by
``pg_restore --clean --if-exists --no-owner`` in a single transaction, so a restore that fails half-way leaves the
database as it was. Either way the file is written under a temporary name first: a failed backup never leaves a
truncated file that looks like a good one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import URL, func, inspect, make_url, select
from sqlalchemy.orm import Session

from quizapp.extensions import db

LOCK_TIMEOUT = "30s"
"""How long pg_dump and pg_restore wait for a table another session has locked before giving up (changing nothing):
a restore while the app still runs fails instead of hanging."""
CONTENT_TABLES = ("enterprises", "workers", "inspections", "attempts", "findings", "users", "questions")
"""What the restore prompt counts, so that the person sees what they are about to replace."""


class BackupError(Exception):
    """Why a backup or a restore could not be done; nothing was changed."""


def describe(database_url: str) -> str:
    """The database as people may see it: the URL without its password."""
    return make_url(database_url).render_as_string(hide_password=True)


def backup(database_url: str, out: Path) -> None:
    """Write a consistent copy of the database at ``database_url`` to ``out`` (replaced if it exists)."""
    url = make_url(database_url)
    if not out.parent.is_dir():
        raise BackupError(f"the folder {out.parent} does not exist")
    partial = out.with_name(out.name + ".partial")
    try:
        if url.get_backend_name() == "sqlite":
            with closing(sqlite3.connect(_sqlite_file(url))) as source, closing(sqlite3.connect(partial)) as target:
                source.backup(target)
        else:
            _run(["pg_dump", "--format=custom", "--file", str(partial)], url)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)


def check_backup(database_url: str, source: Path) -> None:
    """Refuse ``source`` unless it is a backup this database can be restored from, before anything is replaced."""
    url = make_url(database_url)
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    if url.get_backend_name() == "sqlite":
        try:
            with closing(_read_only(source)) as backup_file:
                if backup_file.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    raise BackupError(f"{source} is a damaged SQLite database")
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} is not a SQLite backup ({error})") from error
    else:
        _run(["pg_restore", "--list", str(source)], None, f"{source} is not a pg_dump custom-format backup")


def restore(database_url: str, source: Path) -> None:
    """Replace every table of the database at ``database_url`` with those in the backup ``source``.

    The app's own connections must be closed first: a transaction left open holds locks the restore waits for.
    """
    check_backup(database_url, source)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with closing(_read_only(source)) as backup_file, closing(sqlite3.connect(_sqlite_file(url))) as target:
            backup_file.backup(target)
    else:
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
              str(source)], url)


def contents(session: Session) -> str:
    """A line saying what the database holds now, e.g. ``3 enterprises, 40 workers, …`` (or that it is empty)."""
    present = set(inspect(session.connection()).get_table_names())
    counts = [f"{session.scalar(select(func.count()).select_from(db.metadata.tables[name])):,} {name}"
              for name in CONTENT_TABLES if name in present]
    return ", ".join(counts) if counts else "no tables"


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up or restore")
    path = Path(url.database)
    if not path.is_file():
        raise BackupError(f"the database file {path} does not exist")
    return path


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _run(command: list[str], url: URL | None, failure: str | None = None) -> None:
    """Run a PostgreSQL client program against ``url`` (given as a libpq connection URI, the password apart)."""
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client)")
    env = dict(os.environ)
    if url is not None:
        command = [*command, "--dbname", url.set(drivername="postgresql", password=None)
                   .render_as_string(hide_password=False)]
        if url.password:
            env["PGPASSWORD"] = str(url.password)  # not on the command line, where ps would show it
        env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c lock_timeout={LOCK_TIMEOUT}".strip()
    finished = subprocess.run([program, *command[1:]], env=env, capture_output=True, text=True, check=False)
    if finished.returncode:
        raise BackupError(f"{failure or command[0] + ' failed'}: {finished.stderr.strip()}")


def _file_summary(path: Path) -> str:
    written = datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    return f"{path} ({path.stat().st_size / 1e6:.1f} MB, written {written})"


@click.command("backup")
@with_appcontext
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def backup_command(out: Path) -> None:
    """Write a consistent copy of the whole database to OUT, while the app keeps running.

    SQLite: a copy of the database file. PostgreSQL: a pg_dump custom-format archive.
    """
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        backup(url, out)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up {describe(url)} to {_file_summary(out)}.")


@click.command("restore")
@with_appcontext
@click.argument("source", metavar="IN", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the database without asking.")
def restore_command(source: Path, yes: bool) -> None:
    """Replace the whole database with the backup IN (made by `quizapp backup`).

    Every table is replaced; rows written since the backup are lost. Stop the app servers first.
    """
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        check_backup(url, source)
        now = contents(db.session)
        db.session.remove()  # its transaction would hold locks the restore waits for
        if not yes:
            click.confirm(f"Restoring {_file_summary(source)} replaces everything in {describe(url)}, which now "
                          f"holds {now}; whatever was written since the backup is lost. Replace it?", abort=True)
        db.engine.dispose()
        restore(url, source)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    db.engine.dispose()  # no pooled connection may keep a view of the old database
    click.echo(f"Restored {describe(url)} from {source}; it now holds {contents(db.session)}.")
