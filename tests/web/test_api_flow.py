"""The whole on-site flow through HTTP: scan in, draw a paper, submit, see the result."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from quizapp.models import Attempt, Enterprise, Finding, Inspection, Worker
from tests.conftest import right_answers_as_shown


@pytest.fixture
def flow(auth, client, db, imported_bank, enterprise):
    enterprise.industry_codes = ["machinery"]
    worker = Worker(enterprise=enterprise, name="周师傅", role_code="team-leader", post="铸造")
    db.session.add(worker)
    db.session.commit()
    auth.login_as("inspector")
    client.post(f"/e/{enterprise.qr_token}", data={"kind": "routine"})
    inspection = db.session.scalar(select(Inspection))
    return inspection, worker


def start(client, inspection, worker, client_id=None):
    return client.post(f"/api/inspections/{inspection.public_token}/attempts",
                       json={"client_id": client_id or str(uuid.uuid4()), "worker": worker.public_token})


def test_scan_draw_submit_and_see_the_result(client, db, flow):
    inspection, worker = flow
    response = start(client, inspection, worker)
    assert response.status_code == 201
    paper = response.get_json()
    assert [item["type"] for item in paper["items"]] == ["single"] * 5 + ["judge"] * 5 + ["oral", "practical"]
    assert all("answer" not in item and "explanation" not in item for item in paper["items"])
    attempt = db.session.scalar(select(Attempt))
    submission = {"submission_id": str(uuid.uuid4()), "responses": right_answers_as_shown(db, attempt)}
    result = client.post(f"/api/attempts/{paper['attempt']}/submit", json=submission)
    assert result.status_code == 200
    body = result.get_json()
    assert (body["score"], body["passed"]) == (100.0, True)
    assert all(item["explanation"] and item["basis"] for item in body["items"])
    assert body["items"][0]["basis"][0].startswith("《")
    repeated = client.post(f"/api/attempts/{paper['attempt']}/submit", json=submission)
    assert repeated.get_json() == body
    changed = client.post(f"/api/attempts/{paper['attempt']}/submit",
                          json={**submission, "responses": [None] * 12})
    assert changed.status_code == 409
    assert "已经用另一组答案提交过" in changed.get_json()["error"]


def test_a_wrong_paper_fails_and_the_right_answers_are_shown_as_the_worker_saw_them(client, db, flow):
    inspection, worker = flow
    paper = start(client, inspection, worker).get_json()
    attempt = db.session.scalar(select(Attempt))
    right = right_answers_as_shown(db, attempt)
    body = client.post(f"/api/attempts/{paper['attempt']}/submit",
                       json={"submission_id": str(uuid.uuid4()), "responses": [None] * 12}).get_json()
    assert (body["score"], body["passed"]) == (0.0, False)
    assert body["items"][0]["right_answer"] == right[0]
    assert db.session.scalar(select(func.count()).select_from(Finding)) == 1


def test_repeating_a_start_draws_once(client, db, flow):
    inspection, worker = flow
    client_id = str(uuid.uuid4())
    first, second = start(client, inspection, worker, client_id), start(client, inspection, worker, client_id)
    assert first.get_json() == second.get_json()
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_bad_requests(client, db, flow):
    inspection, worker = flow
    stranger = Worker(enterprise=Enterprise(credit_code="91371300MA3C8H1X3T", name="另一家"), name="外人",
                      role_code="worker")
    db.session.add(stranger)
    db.session.commit()
    assert start(client, inspection, stranger).status_code == 422
    assert client.post(f"/api/inspections/{inspection.public_token}/attempts",
                       json={"client_id": "not-a-uuid", "worker": worker.public_token}).status_code == 400
    assert start(client, type("X", (), {"public_token": "nope"}), worker).status_code == 404
    paper = start(client, inspection, worker).get_json()
    tampered = client.post(f"/api/attempts/{paper['attempt']}/submit",
                           json={"submission_id": str(uuid.uuid4()), "responses": ["Z"] + [None] * 11})
    assert tampered.status_code == 400
    assert db.session.scalar(select(Attempt)).status == "in_progress"
    client.post(f"/inspections/{inspection.public_token}/close")
    closed = client.post(f"/api/attempts/{paper['attempt']}/submit",
                         json={"submission_id": str(uuid.uuid4()), "responses": [None] * 12})
    assert closed.status_code == 422
    assert "检查已结束" in closed.get_json()["error"]


def test_enterprise_users_cannot_use_the_exam_api(auth, client, db, imported_bank, enterprise):
    auth.login_as("enterprise", enterprise=enterprise)
    response = client.post("/api/inspections/any/attempts", json={"client_id": str(uuid.uuid4())})
    assert response.status_code == 403


def test_anonymous_api_calls_get_401_not_the_login_page(client, db):
    response = client.post("/api/inspections/any/attempts", json={"client_id": str(uuid.uuid4())})
    assert response.status_code == 401
    assert response.get_json() == {"error": "请先登录。"}
