"""``quizapp backup`` and ``quizapp restore`` on a database holding real records, on SQLite (a file: the backup API
needs one) and on PostgreSQL (pg_dump and pg_restore; when TEST_DATABASE_URL points at it)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, inspect, select, text, update

from quizapp.backup import describe
from quizapp.exam.attempts import start_attempt, submit_attempt
from quizapp.exam.blueprint import blueprint_for
from quizapp.exam.inspections import check_in
from quizapp.models import Attempt, Enterprise, Finding, TopicTally, User, Worker
from tests.conftest import TEST_DATABASE_URL, fresh_app


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path):
    """The app on a SQLite file, or on the test PostgreSQL database; the commands use this app's URL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'quizapp.sqlite'}"
    elif TEST_DATABASE_URL.startswith("postgresql"):
        url = TEST_DATABASE_URL
    else:
        pytest.skip("TEST_DATABASE_URL is not PostgreSQL")
    with fresh_app(tmp_path, SQLALCHEMY_DATABASE_URI=url) as app:
        yield app


@pytest.fixture
def records(db, imported_bank, enterprise, make_user):
    """An inspection with a scored (failed) attempt, its finding, attempt items and tallies."""
    enterprise.industry_codes = ["machinery"]
    worker = Worker(enterprise=enterprise, name="周师傅", role_code="team-leader", post="铸造")
    db.session.add(worker)
    inspector = make_user("inspector")
    inspection = check_in(db.session, enterprise, inspector)
    attempt = start_attempt(db.session, client_id="5b0c63d8-6f0e-4c0b-9d8e-2f5c1a7e9b10", inspection=inspection,
                            worker=worker, examiner=inspector, blueprint=blueprint_for(db.session, "team-leader"))
    submit_attempt(db.session, attempt, submission_id="0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
                   responses=[None] * len(attempt.items))
    db.session.commit()


def snapshot(db) -> dict[str, list[tuple]]:
    """Every row of every table in the database (not only the models' tables), in a stable order."""
    db.session.remove()
    with db.engine.connect() as connection:
        return {name: sorted((tuple(row) for row in connection.execute(text(f'SELECT * FROM "{name}"'))), key=repr)
                for name in sorted(inspect(connection).get_table_names())}


def change_everything(db) -> None:
    """Edit, delete and add rows, as the work after a backup would."""
    db.session.execute(update(Enterprise).values(name="改名后的企业"))
    db.session.execute(delete(Finding))
    db.session.execute(delete(TopicTally))
    db.session.add(User(username="after-backup", role="admin", password_hash="x"))
    db.session.commit()


def test_a_restore_brings_back_every_row_as_it_was_at_backup_time(quizapp, db, records, tmp_path):
    before = snapshot(db)
    assert all(before[table] for table in ("questions", "enterprises", "inspections", "attempts", "attempt_items",
                                           "findings", "topic_tallies"))
    out = tmp_path / "quizapp.backup"
    with db.engine.connect() as writer:  # a write in progress is not in the backup: it is consistent
        writer.execute(update(Enterprise).values(name="未提交的改动"))
        backed_up = quizapp("backup", str(out))
        writer.rollback()
    assert backed_up.exit_code == 0, backed_up.output
    assert f"to {out}" in backed_up.output and out.stat().st_size > 0
    change_everything(db)
    assert snapshot(db) != before

    restored = quizapp("restore", str(out), "--yes")

    assert restored.exit_code == 0, restored.output
    assert "1 enterprises" in restored.output
    assert snapshot(db) == before
    db.session.add(User(username="after-restore", role="admin", password_hash="x"))  # sequences restored too
    db.session.commit()
    assert db.session.scalar(select(Attempt.status)) == "final"


def test_restore_says_what_it_replaces_and_asks_first(quizapp, db, records, tmp_path):
    out = tmp_path / "quizapp.backup"
    assert quizapp("backup", str(out)).exit_code == 0
    change_everything(db)
    changed = snapshot(db)

    declined = quizapp("restore", str(out), input="n\n")

    assert declined.exit_code == 1
    assert f"replaces everything in {describe(db.engine.url.render_as_string(False))}" in declined.output
    assert "1 enterprises, 1 workers, 1 inspections, 1 attempts, 0 findings, 2 users" in declined.output
    assert snapshot(db) == changed
    accepted = quizapp("restore", str(out), input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert snapshot(db)["findings"]


def test_a_file_that_is_not_a_backup_is_refused_before_anything_changes(quizapp, db, records, tmp_path):
    before = snapshot(db)
    bogus = tmp_path / "notes.txt"
    bogus.write_text("这不是备份文件\n" * 100)

    refused = quizapp("restore", str(bogus), "--yes")

    assert refused.exit_code == 1
    assert f"{bogus} is not a" in refused.output
    assert snapshot(db) == before


def test_a_failed_backup_leaves_no_file(quizapp, db, records, tmp_path):
    out = tmp_path / "missing-folder" / "quizapp.backup"
    failed = quizapp("backup", str(out))
    assert failed.exit_code == 1
    assert f"the folder {out.parent} does not exist" in failed.output
    assert not out.exists() and not out.parent.exists()
