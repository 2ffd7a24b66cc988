"""The audit trail through the real stack: what a web inspection writes into it, who and why, what it never keeps,
and ``quizapp audit verify`` finding an entry changed or removed behind the application's back."""

from __future__ import annotations

import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text, update

from quizapp.audit import latest_entry_about
from quizapp.bank.importer import import_bank
from quizapp.bank.validate import load_bank
from quizapp.cli import main
from quizapp.exam.inspections import CLOSING_REASON
from quizapp.models import Attempt, AuditEvent, Inspection, User, Worker
from quizapp.models.audit import ACTOR_KEY, GENESIS_HASH, REDACTED, AuditTrailError, audit_reason, utc_iso
from tests.conftest import TEST_DATABASE_URL
from tests.pdf.pdfcheck import text_of


def entries(db, table: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.position)
    return list(db.session.scalars(query.where(AuditEvent.table_name == table) if table else query))


def verify(runner):
    return runner.invoke(main, ["audit", "verify"])


@pytest.fixture
def inspection_flow(db, client, imported_bank, enterprise, auth):
    """An inspector scans in, examines a worker orally (who fails), corrects the result with a reason, and closes."""
    worker = Worker(enterprise=enterprise, name="赵师傅", role_code="worker", post="抛光")
    db.session.add(worker)
    db.session.commit()
    inspector = auth.login_as("inspector")
    client.post(f"/e/{enterprise.qr_token}", data={"kind": "routine"})
    token = client.get(f"/e/{enterprise.qr_token}").headers["Location"].rsplit("/", 1)[1]
    client.post(f"/inspections/{token}/exams",
                data={"worker": worker.public_token, "client_id": str(uuid.uuid4()), "mode": "oral"})
    attempt = db.session.scalars(select(Attempt)).one()
    client.post(f"/attempts/{attempt.public_token}/mark", data={"submission_id": str(uuid.uuid4())})
    client.post(f"/attempts/{attempt.public_token}/correct",
                data={"client_id": str(uuid.uuid4()), "reason": "录入时点错了人"})
    assert client.post(f"/inspections/{token}/close").status_code == 302
    db.session.expire_all()
    inspection = db.session.scalars(select(Inspection)).one()
    assert inspection.status == "closed"
    return inspection, attempt, inspector


def test_an_inspection_on_the_web_is_recorded_with_who_wrote_and_why(db, inspection_flow):
    inspection, attempt, inspector = inspection_flow
    opened, closed = entries(db, "inspections")
    assert (opened.action, opened.row_id, opened.actor_id, opened.actor_label) == (
        "insert", str(inspection.id), inspector.id, inspector.username)
    assert opened.after["status"] == "open" and opened.after["enterprise_id"] == inspection.enterprise_id
    assert (closed.action, closed.reason, closed.actor_label) == ("update", CLOSING_REASON, inspector.username)
    assert closed.before == {"status": "open", "closed_at": None}
    assert closed.after == {"status": "closed", "closed_at": utc_iso(inspection.closed_at)}

    [team] = entries(db, "inspection_team")
    assert team.row_id == f"{inspection.id},{inspector.id}" and team.actor_id == inspector.id

    started, scored, correction = entries(db, "attempts")
    assert started.action == "insert" and started.row_id == str(attempt.id) and started.after["mode"] == "oral"
    assert scored.action == "update" and scored.row_id == str(attempt.id)
    assert set(scored.before) == set(scored.after) >= {"status", "score", "passed", "responses", "submitted_at"}
    assert "seed" not in scored.after and "items" not in scored.after  # only the columns that changed
    assert (scored.before["status"], scored.after["status"], scored.after["passed"]) == ("in_progress", "final", False)
    assert scored.before["responses"] is None and len(scored.after["responses"]) == len(attempt.items)
    assert correction.action == "insert" and correction.reason == "录入时点错了人"
    assert correction.after["corrects_id"] == attempt.id

    [failed_exam] = entries(db, "findings")
    assert failed_exam.after["kind"] == "failed_exam" and failed_exam.actor_label == inspector.username

    worker_added = entries(db, "workers")[-1]
    assert (worker_added.actor_id, worker_added.actor_label) == (None, "cli")  # written outside a request
    assert [entry.position for entry in entries(db)] == list(range(1, len(entries(db)) + 1))


def test_password_hashes_never_reach_the_trail(db, client, auth):
    user = auth.login_as("admin")  # inserted, then its last login recorded
    user.set_password("another long password")
    db.session.commit()
    [created] = [entry for entry in entries(db, "users") if entry.action == "insert"]
    assert created.after["password_hash"] == REDACTED and created.after["username"] == user.username
    changed = [entry for entry in entries(db, "users") if entry.action == "update"]
    assert {"last_login_at"} in [set(entry.after) for entry in changed]
    assert {"password_hash": REDACTED} in [entry.after for entry in changed]
    raw = " ".join(str(value) for row in db.session.execute(text("SELECT * FROM audit_events")) for value in row)
    assert user.password_hash not in raw and "scrypt:" not in raw and "pbkdf2:" not in raw


def test_the_bank_import_records_each_question_with_its_path_and_a_reimport_nothing(db, bank_copy):
    bank = load_bank(bank_copy, db.session)
    import_bank(db.session, bank)
    db.session.commit()
    questions, versions = entries(db, "questions"), entries(db, "question_versions")
    assert len(questions) == len(versions) == len(bank.questions)
    assert all(entry.reason.startswith("bank import ") and entry.actor_label == "cli" for entry in questions + versions)
    first = next(entry for entry in versions if entry.after["stem"] == bank.questions[0].content["stem"])
    assert first.after["topics"] == bank.questions[0].content["topics"] and "basis" in first.after
    count = len(entries(db))

    import_bank(db.session, load_bank(bank_copy, db.session))
    db.session.commit()
    assert len(entries(db)) == count


def test_a_rolled_back_write_leaves_no_entry(db, enterprise):
    count = len(entries(db))
    db.session.add(Worker(enterprise=enterprise, name="孙师傅", role_code="worker"))
    db.session.flush()
    assert len(entries(db)) == count + 1
    db.session.rollback()
    assert len(entries(db)) == count


def test_outside_a_request_the_session_names_the_writer_and_audit_reason_says_why(db, enterprise):
    db.session.info[ACTOR_KEY] = "system"
    try:
        with audit_reason(db.session, "roster cleanup"):
            db.session.add(Worker(enterprise=enterprise, name="李师傅", role_code="worker"))
        db.session.add(Worker(enterprise=enterprise, name="周师傅", role_code="worker"))
        db.session.commit()
    finally:
        del db.session.info[ACTOR_KEY]
    with_reason, without = entries(db, "workers")
    assert (with_reason.actor_label, with_reason.reason) == ("system", "roster cleanup")
    assert with_reason.after["name"] == "李师傅"
    assert (without.reason, without.after["name"]) == ("", "周师傅")


@pytest.mark.skipif(not TEST_DATABASE_URL.startswith("postgresql"), reason="needs concurrent connections")
def test_concurrent_writers_queue_at_the_chain_head_instead_of_failing(app, db, runner, enterprise):
    writers, enterprise_id = 8, enterprise.id
    start = threading.Barrier(writers)

    def add_worker(number: int) -> None:
        with app.app_context():
            start.wait()
            db.session.add(Worker(enterprise_id=enterprise_id, name=f"工人{number}", role_code="worker"))
            db.session.commit()

    with ThreadPoolExecutor(writers) as pool:
        list(pool.map(add_worker, range(writers)))
    assert len(entries(db, "workers")) == writers
    result = verify(runner)
    assert result.exit_code == 0 and f"intact: {writers} entries" in result.output


def test_verify_passes_on_an_intact_chain(db, runner, inspection_flow):
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert f"intact: {len(entries(db))} entries" in result.output
    assert entries(db)[0].previous_hash == GENESIS_HASH


def test_verify_names_an_entry_changed_with_sql(db, runner, inspection_flow):
    scored = entries(db, "attempts")[1]
    position, forged = scored.position, json.dumps({**scored.after, "score": 100.0, "passed": True})
    db.session.execute(text("UPDATE audit_events SET after = :after WHERE position = :position"),
                       {"after": forged, "position": position})
    db.session.commit()
    result = verify(runner)
    assert result.exit_code == 1
    assert f"broken at entry {position}: entry {position} was changed" in result.output
    assert f"the {position - 1} entries before it are intact" in result.output


def test_verify_names_an_entry_changed_and_rehashed(db, runner, inspection_flow):
    """A forger who recomputes the changed entry's hash still breaks the link to the next entry."""
    position = entries(db, "attempts")[1].position
    db.session.execute(text("UPDATE audit_events SET reason = 'fixed' WHERE position = :position"),
                       {"position": position})
    db.session.commit()
    rehashed = db.session.get(AuditEvent, position).computed_hash()
    db.session.execute(text("UPDATE audit_events SET hash = :rehashed WHERE position = :position"),
                       {"rehashed": rehashed, "position": position})
    db.session.commit()
    result = verify(runner)
    assert result.exit_code == 1
    assert f"broken at entry {position}: entry {position} was changed (entry {position + 1} names" in result.output


def test_verify_names_an_entry_removed_with_sql(db, runner, inspection_flow):
    position = entries(db, "inspections")[0].position
    db.session.execute(text("DELETE FROM audit_events WHERE position = :position"), {"position": position})
    db.session.commit()
    result = verify(runner)
    assert result.exit_code == 1
    assert f"broken at entry {position}: entry {position} was removed" in result.output


def test_audit_show_prints_a_rows_entries(db, runner, inspection_flow):
    inspection, _, inspector = inspection_flow
    result = runner.invoke(main, ["audit", "show", "--table", "inspections", "--row", str(inspection.id)])
    assert result.exit_code == 0, result.output
    newest, oldest = [line for line in result.output.splitlines() if line.startswith("#")]
    assert f"{inspector.username} update inspections {inspection.id} — {CLOSING_REASON}" in newest
    assert "insert inspections" in oldest and '"status": "closed"' in result.output


def test_the_exam_record_prints_the_newest_entry_about_the_inspection(db, client, inspection_flow):
    inspection, _, _ = inspection_flow
    newest = latest_entry_about(db.session, inspection)
    assert newest.table_name in ("inspections", "findings") and newest.reason == CLOSING_REASON
    response = client.get(f"/inspections/{inspection.public_token}/record.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"记录校验：审计链第{newest.position}条SHA-256{newest.hash}" in text_of(response.data)

    db.session.add(Worker(enterprise=inspection.enterprise, name="吴师傅", role_code="worker"))
    db.session.commit()  # an entry about something else does not move the inspection's mark
    assert latest_entry_about(db.session, inspection).position == newest.position


def test_entries_cannot_be_changed_or_deleted_through_the_orm(db, enterprise):
    db.session.add(Worker(enterprise=enterprise, name="郑师傅", role_code="worker"))
    db.session.commit()
    entry = entries(db)[0]
    entry.reason = "rewritten"
    with pytest.raises(AuditTrailError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(entries(db)[0])
    with pytest.raises(AuditTrailError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AuditTrailError):
        db.session.execute(update(AuditEvent).values(reason="rewritten"))
    db.session.rollback()
    db.session.add(AuditEvent(position=99, occurred_at=entry.occurred_at, actor_label="x", action="insert",
                              table_name="users", row_id="1", reason="", previous_hash="x", hash="x"))
    with pytest.raises(AuditTrailError):
        db.session.flush()
    db.session.rollback()
    assert [(e.position, e.reason) for e in entries(db)] == [(1, "")]


def test_the_demo_records_one_entry_with_its_counts(db, runner, imported_bank):
    count = len(entries(db))
    result = runner.invoke(main, ["demo", "--scale", "small"])
    assert result.exit_code == 0, result.output
    [demo] = entries(db)[count:]
    assert demo.table_name == "demo" and demo.reason.startswith("demo data generated")
    assert demo.after["enterprises"] == 12 and demo.after["attempts"] > 0
    assert db.session.scalar(select(User.id).where(User.username.like("demo-%"))) is not None
