"""Inspection packs and the records a tablet sends back after working offline, through HTTP."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from quizapp.exam.attempts import start_attempt
from quizapp.exam.blueprint import blueprint_for
from quizapp.exam.inspections import check_in, local_today
from quizapp.exam.packs import SPARE_PAPERS, read_signed
from quizapp.models import Attempt, DrillRun, Enterprise, Inspection, QuestionVersion, Role, Worker
from quizapp.models.base import utcnow
from tests.conftest import PASSWORD, right_answers_as_shown, table_counts


@pytest.fixture
def pack(auth, client, db, imported_bank, enterprise):
    """A pack for an enterprise with two team leaders and a principal, downloaded by an inspector."""
    enterprise.industry_codes = ["machinery"]
    db.session.add_all([Worker(enterprise=enterprise, name="周师傅", role_code="team-leader", post="铸造"),
                        Worker(enterprise=enterprise, name="吴师傅", role_code="team-leader", post="机加"),
                        Worker(enterprise=enterprise, name="郑总", role_code="principal")])
    db.session.commit()
    auth.login_as("inspector")
    response = client.post("/api/packs", json={"enterprises": [enterprise.qr_token], "password": PASSWORD})
    assert response.status_code == 200, response.data
    return response.get_json()


def fields_for(items: list[dict], answers: list) -> dict[str, list[str]]:
    """The form fields a tablet reads from its inputs when the worker taps ``answers``."""
    fields: dict[str, list[str]] = {}
    for index, (item, answer) in enumerate(zip(items, answers, strict=True)):
        name = f"q{index}"
        if item["type"] in ("single", "multiple"):
            fields[name] = [answer] if isinstance(answer, str) else list(answer)
        elif item["type"] == "judge":
            fields[name] = [str(answer).lower()]
        elif item["type"] == "fill":
            fields.update({f"{name}_b{blank}": [text] for blank, text in enumerate(answer)})
        elif item["type"] == "oral":
            fields[f"{name}_mark"] = ["correct"]
        else:
            fields.update({f"{name}_s{step}": ["done"] for step in range(len(answer["steps"]))})
    return fields


def paper_record(app, db, paper: dict, worker: Worker, *, right: bool = True, **extra) -> dict:
    content = read_signed(app.secret_key, paper["paper"])
    answers = right_answers_as_shown(db, SimpleNamespace(items=content["items"]))
    fields = fields_for(content["items"], answers) if right else {}
    started = utcnow()  # after the pack's issue, as on a visit
    return {"client_id": str(uuid.uuid4()), "submission_id": str(uuid.uuid4()), "paper": paper["paper"],
            "worker": worker.public_token, "mode": "tablet", "fields": fields, "started_at": started.isoformat(),
            "submitted_at": (started + timedelta(milliseconds=1)).isoformat(), **extra}


def team_leader(db) -> Worker:
    return db.session.scalar(select(Worker).where(Worker.name == "周师傅"))


def test_a_pack_holds_the_roster_papers_per_role_and_drills_but_no_answer_key(app, db, pack):
    packed = pack["enterprises"][0]
    assert sorted(worker["name"] for worker in packed["workers"]) == ["吴师傅", "周师傅", "郑总"]
    papers_per_role = {role: len(papers) for role, papers in packed["papers"].items()}
    assert papers_per_role["team-leader"] == 2 + SPARE_PAPERS and papers_per_role["principal"] == 1 + SPARE_PAPERS
    # every other role has the spares, for people met on the day; the roles are offered in the bank's order
    assert {papers_per_role[role] for role in papers_per_role if role not in ("team-leader", "principal")} == {
        SPARE_PAPERS}
    role_order = db.session.scalars(select(Role.code).order_by(Role.position)).all()
    assert [role["code"] for role in packed["roles"]] == [role for role in role_order if role in papers_per_role]
    assert {"principal", "team-leader", "worker"} <= set(papers_per_role) and packed["roles"][0]["name"] == "主要负责人"
    assert set(packed["blueprints"]) == set(papers_per_role)
    assert packed["blueprints"]["team-leader"]["pass_mark"] == 80 and packed["blueprints"]["principal"]["items"]
    paper = packed["papers"]["team-leader"][0]
    assert paper["take_html"].count("data-screen") == paper["worker_items"] > 0
    assert "_mark" in paper["mark_html"] and "_s0" in paper["mark_html"]  # the spoken item and the steps
    assert packed["drills"] and "data-mark" in packed["drills"][0]["html"]
    seeds = {read_signed(app.secret_key, paper["paper"])["seed"] for paper in packed["papers"]["team-leader"]}
    assert len(seeds) == 2 + SPARE_PAPERS
    text = json.dumps(pack, ensure_ascii=False)
    for item in read_signed(app.secret_key, paper["paper"])["items"]:  # no explanation, so no answer, in the pack
        assert db.session.get(QuestionVersion, item["version_id"]).explanation not in text


def test_a_person_on_the_roster_gets_a_paper_without_what_they_were_asked_in_the_past_year(
        app, auth, client, db, imported_bank, enterprise):
    """As on site: 周师傅 once answered every true-or-false question in the bank, so his own paper has none (and
    says so); the spares, drawn for nobody, have them. That attempt is older than the enterprise's last three
    inspections, so only his own past excludes them."""
    enterprise.industry_codes = ["machinery"]
    zhou = Worker(enterprise=enterprise, name="周师傅", role_code="team-leader", post="铸造")
    db.session.add(zhou)
    inspector = auth.login_as("inspector")
    every_judge = [{"question_id": question, "version_id": version, "type": "judge", "option_order": []}
                   for question, version in db.session.execute(
                       select(QuestionVersion.question_id, QuestionVersion.id).where(QuestionVersion.type == "judge"))]
    for days in (40, 30, 20, 10):
        inspection = check_in(db.session, enterprise, inspector, now=utcnow() - timedelta(days=days))
        if days == 40:
            start_attempt(db.session, client_id=str(uuid.uuid4()), inspection=inspection, worker=zhou,
                          examiner=inspector, blueprint=blueprint_for(db.session, "team-leader"), seed=1,
                          items=every_judge, now=inspection.opened_at)
    db.session.commit()
    packed = client.post("/api/packs", json={"enterprises": [enterprise.qr_token], "password": PASSWORD}).get_json()
    papers = packed["enterprises"][0]["papers"]["team-leader"]
    assert [paper["for"] for paper in papers] == [zhou.public_token] + [None] * SPARE_PAPERS

    def types(paper: dict) -> set[str]:
        return {item["type"] for item in read_signed(app.secret_key, paper["paper"])["items"]}

    assert "judge" not in types(papers[0]) and "single" in types(papers[0])
    assert all("judge" in types(spare) for spare in papers[1:])
    assert packed["enterprises"][0]["shortages"]["team-leader"] == {"judge": 5}


def test_a_pack_needs_the_inspectors_password(client, auth, db, enterprise):
    auth.login_as("inspector")
    response = client.post("/api/packs", json={"enterprises": [enterprise.qr_token], "password": "wrong"})
    assert response.status_code == 403 and response.get_json()["error"]


def test_an_offline_paper_is_stored_once_with_the_tablets_times(app, client, db, pack):
    worker = team_leader(db)
    record = paper_record(app, db, pack["enterprises"][0]["papers"]["team-leader"][0], worker)
    first = client.post("/api/offline/attempts", json=record)
    assert first.status_code == 200, first.data
    assert (first.get_json()["score"], first.get_json()["passed"]) == (100.0, True)
    assert client.post("/api/offline/attempts", json=record).get_json() == first.get_json()  # a retry
    attempt = db.session.scalars(select(Attempt)).one()
    assert attempt.status == "final" and attempt.client_id == record["client_id"]
    sent = datetime.fromisoformat(record["started_at"]).replace(tzinfo=None)  # SQLite keeps no zone
    assert attempt.device_started_at.replace(tzinfo=None) == sent and attempt.synced_at is not None
    assert attempt.started_at.replace(tzinfo=None) == sent  # plausible: after the pack's issue, not in the future
    inspection = db.session.scalars(select(Inspection)).one()  # the check-in that never reached the server
    assert inspection.local_date == local_today() and inspection.team[0].user.username == "inspector-user"


def test_the_same_paper_with_other_answers_is_a_conflict_and_the_stored_result_stays(app, client, db, pack):
    worker = team_leader(db)
    record = paper_record(app, db, pack["enterprises"][0]["papers"]["team-leader"][0], worker)
    client.post("/api/offline/attempts", json=record)
    other = {**record, "submission_id": str(uuid.uuid4()), "fields": {}}
    response = client.post("/api/offline/attempts", json=other)
    assert response.status_code == 409
    assert response.get_json()["stored"]["score"] == 100.0
    stored = db.session.scalars(select(Attempt)).one()
    assert stored.score == 100.0 and stored.submission_id == record["submission_id"]

    correction = {"client_id": str(uuid.uuid4()), "submission_id": str(uuid.uuid4()), "reason": "平板上的答卷为准",
                  "fields": other["fields"]}
    resolved = client.post(f"/api/offline/attempts/{record['client_id']}/correction", json=correction)
    assert resolved.status_code == 200 and resolved.get_json()["score"] == 0.0
    assert client.post(f"/api/offline/attempts/{record['client_id']}/correction", json=correction).status_code == 200
    replacement = db.session.scalar(select(Attempt).where(Attempt.corrects_id == stored.id))
    assert replacement.correction_reason == "平板上的答卷为准" and replacement.status == "final"
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 2


def test_an_implausible_tablet_clock_gives_way_to_the_servers(app, client, db, pack):
    record = paper_record(app, db, pack["enterprises"][0]["papers"]["team-leader"][1], team_leader(db),
                          started_at="2020-01-01T08:00:00+08:00", submitted_at="2099-01-01T08:00:00+08:00")
    assert client.post("/api/offline/attempts", json=record).status_code == 200
    attempt = db.session.scalars(select(Attempt)).one()
    assert attempt.device_started_at.year == 2020 and attempt.device_submitted_at.year == 2099  # kept as sent
    assert attempt.started_at.year == attempt.submitted_at.year == utcnow().year


def test_forged_or_foreign_records_are_refused_and_change_nothing(app, client, db, make_user, pack):
    paper = pack["enterprises"][0]["papers"]["team-leader"][0]
    worker = team_leader(db)
    forged = {**paper_record(app, db, paper, worker), "paper": paper["paper"][:-4] + "AAAA"}
    assert client.post("/api/offline/attempts", json=forged).status_code == 422
    stranger = Worker(enterprise=Enterprise(credit_code="91371300MA3C8H1X3T", name="另一家"), name="外人",
                      role_code="team-leader")
    db.session.add(stranger)
    db.session.commit()
    assert client.post("/api/offline/attempts", json=paper_record(app, db, paper, stranger)).status_code == 422
    assert client.post("/api/offline/attempts", json={**paper_record(app, db, paper, worker),
                                                      "fields": {"q0": "A"}}).status_code == 400
    other = make_user("inspector", username="colleague")
    client.post("/logout")
    client.post("/login", data={"username": other.username, "password": PASSWORD})
    response = client.post("/api/offline/attempts", json=paper_record(app, db, paper, worker))
    assert response.status_code == 422 and "另一位执法人员" in response.get_json()["error"]
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == 0


def drill_record(pack: dict, worker: Worker, mark: str = "done") -> dict:
    packed = pack["enterprises"][0]
    drill = packed["drills"][0]
    now = utcnow() + timedelta(milliseconds=1)
    steps = [(phase, step) for phase, content in enumerate(drill["content"]["phases"])
             for step in range(len(content["steps"]))]
    return {"client_id": str(uuid.uuid4()), "ticket": packed["ticket"], "version": drill["version"],
            "participants": [worker.public_token], "started_at": now.isoformat(),
            "marks": [{"client_id": str(uuid.uuid4()), "phase": phase, "step": step, "mark": mark, "note": "",
                       "elapsed_seconds": 30.0 * (number + 1),
                       "device_time": now.isoformat()}
                      for number, (phase, step) in enumerate(steps)],
            "ratings": {str(phase): "P" for phase in range(len(drill["content"]["phases"]))},
            "finished_at": now.isoformat()}


def test_an_offline_drill_is_stored_once_and_other_marks_are_a_conflict(client, db, pack):
    record = drill_record(pack, team_leader(db))
    first = client.post("/api/offline/drills", json=record)
    assert first.status_code == 200, first.data
    assert first.get_json()["passed"] is True
    assert client.post("/api/offline/drills", json=record).get_json() == first.get_json()
    run = db.session.scalars(select(DrillRun)).one()
    assert run.status == "finished" and run.synced_at is not None and len(run.marks) == len(record["marks"])
    assert [worker.name for worker in run.participants] == ["周师傅"]
    other = {**record, "marks": [{**mark, "client_id": str(uuid.uuid4()), "mark": "missed"}
                                 for mark in record["marks"]]}
    assert client.post("/api/offline/drills", json=other).status_code == 409
    assert db.session.scalar(select(func.count()).select_from(DrillRun)) == 1


def test_a_drill_refused_half_way_leaves_nothing_behind(client, db, pack):
    """A bad mark after the run and the inspection are registered: the whole record is refused, and on SQLite too
    nothing stays (its driver would have committed a savepoint that came first in the transaction)."""
    record = drill_record(pack, team_leader(db))
    record["marks"][-1]["phase"] = 99
    before = table_counts(db)
    assert client.post("/api/offline/drills", json=record).status_code == 422
    assert table_counts(db) == before


NEWCOMER = {"name": "冯师傅", "role": "worker", "post": "叉车"}


def test_a_person_added_on_the_tablet_joins_the_roster_once(app, client, db, pack):
    """Records of someone met on the day carry the person; the first to arrive puts them on the roster and the
    others, and any retry, find them there by name and post."""
    papers = pack["enterprises"][0]["papers"]["worker"]
    first = {**paper_record(app, db, papers[0], team_leader(db)), "worker": NEWCOMER}
    assert client.post("/api/offline/attempts", json=first).status_code == 200
    assert client.post("/api/offline/attempts", json=first).status_code == 200  # a retry
    oral = {**paper_record(app, db, papers[1], team_leader(db)), "worker": {**NEWCOMER, "name": " 冯师傅 "},
            "mode": "oral"}
    assert client.post("/api/offline/attempts", json=oral).status_code == 200
    drill = {**drill_record(pack, team_leader(db)), "participants": [team_leader(db).public_token, NEWCOMER]}
    assert client.post("/api/offline/drills", json=drill).status_code == 200
    newcomer = db.session.scalars(select(Worker).where(Worker.name == "冯师傅")).one()
    assert (newcomer.role_code, newcomer.post, newcomer.enterprise.name) == ("worker", "叉车", "临沂某铝业有限公司")
    assert [attempt.worker for attempt in db.session.scalars(select(Attempt))] == [newcomer, newcomer]
    assert sorted(worker.name for worker in db.session.scalars(select(DrillRun)).one().participants) == [
        "冯师傅", "周师傅"]


@pytest.mark.parametrize("person", [{**NEWCOMER, "name": " "}, {**NEWCOMER, "role": "astronaut"},
                                    {**NEWCOMER, "post": "岗" * 101}, ["冯师傅"]])
def test_a_person_added_without_a_name_or_with_an_unknown_role_is_refused_and_nothing_is_written(
        app, client, db, pack, person):
    record = {**paper_record(app, db, pack["enterprises"][0]["papers"]["worker"][0], team_leader(db)),
              "worker": person}
    before = table_counts(db)
    response = client.post("/api/offline/attempts", json=record)
    assert response.status_code == 422 and response.get_json()["error"]
    drill = {**drill_record(pack, team_leader(db)), "participants": [person]}
    assert client.post("/api/offline/drills", json=drill).status_code == 422
    assert table_counts(db) == before


def test_the_session_route_gives_a_fresh_token_to_signed_in_inspectors_only(client, auth):
    assert client.get("/api/session").status_code == 401
    auth.login_as("inspector")
    body = client.get("/api/session").get_json()
    assert body["user"] == "inspector-user" and body["csrf_token"]
