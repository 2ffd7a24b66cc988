"""A drill through HTTP: choose and register, start the clock, tap steps (retried), reload, finish, print."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from quizapp.models import Finding, Worker
from quizapp.models.drill_run import DrillRun, DrillStepMark
from tests.pdf.pdfcheck import assert_fonts_embedded, installed_cjk_font, text_of


@pytest.fixture
def inspection(db, client, imported_bank, enterprise, auth):
    enterprise.industry_codes = ["ammonia-refrigeration"]
    db.session.add(Worker(enterprise=enterprise, name="赵班长", role_code="team-leader", post="制冷"))
    db.session.commit()
    auth.login_as("inspector")
    client.post(f"/e/{enterprise.qr_token}", data={"kind": "routine"})
    return client.get(f"/e/{enterprise.qr_token}").headers["Location"].rsplit("/", 1)[1]


def register(db, client, inspection: str, code: str = "DRILL-AMMONIA-LEAK") -> DrillRun:
    worker = db.session.scalars(select(Worker)).one()
    response = client.post(f"/inspections/{inspection}/drills/new", data={
        "client_id": str(uuid.uuid4()), "template": code, "participants": [worker.public_token]})
    run = db.session.scalars(select(DrillRun)).one()
    assert response.headers["Location"] == f"/drills/{run.public_token}"
    return run


def test_the_enterprises_industry_drills_are_suggested_first(client, inspection):
    page = client.get(f"/inspections/{inspection}/drills/new").get_data(as_text=True)
    options = page.split('name="template"')[1:]
    suggested = [option for option in options if "推荐" in option]
    assert any("冷库氨制冷系统液氨泄漏应急处置演练" in option for option in suggested)
    assert options[:len(suggested)] == suggested and len(suggested) < len(options)
    assert "赵班长" in page


def test_a_drill_survives_retries_and_reloads_and_is_scored_at_the_end(db, client, inspection):
    run = register(db, client, inspection)
    api = f"/api/drills/{run.public_token}"
    assert client.post(f"{api}/start", json={"device_time": "2026-11-29T10:00:00+08:00"}).status_code == 200
    mark = {"client_id": str(uuid.uuid4()), "phase": 0, "step": 0, "mark": "done", "note": "报警及时",
            "elapsed_seconds": 12.5, "device_time": "2026-11-29T10:00:12+08:00"}
    assert client.post(f"{api}/marks", json=mark).status_code == 201
    assert client.post(f"{api}/marks", json=mark).status_code == 201  # the tablet retried: same record
    assert client.post(f"{api}/marks", json={**mark, "mark": "missed"}).status_code == 409
    assert db.session.scalar(select(func.count()).select_from(DrillStepMark)) == 1
    assert client.post(f"{api}/marks", json={**mark, "client_id": str(uuid.uuid4()), "phase": 50}).status_code == 422
    assert client.post(f"{api}/ratings", json={"phase": 0, "rating": "S"}).status_code == 200

    page = client.get(f"/drills/{run.public_token}").get_data(as_text=True)  # a reload
    assert "报警及时" in page and "0:12" in page and 'data-started="2026' in page
    assert page.split('value="S" data-rating="0"')[1].split(">")[0].split()[0] == "checked"

    finished = client.post(f"{api}/finish").get_json()
    assert finished["status"] == "finished" and finished["passed"] is False  # most critical steps never seen
    assert db.session.scalar(select(func.count()).select_from(Finding).where(Finding.kind == "drill_failed")) == 1
    assert client.post(f"{api}/marks", json={**mark, "client_id": str(uuid.uuid4())}).status_code == 422
    inspection_page = client.get(f"/inspections/{inspection}").get_data(as_text=True)
    assert "演练不合格" in inspection_page and "应急预案管理办法" in inspection_page


def test_the_evaluation_record_reads_back(db, client, inspection):
    installed_cjk_font()
    run = register(db, client, inspection)
    client.post(f"/api/drills/{run.public_token}/start", json={})
    client.post(f"/api/drills/{run.public_token}/finish")
    pdf = client.get(f"/drills/{run.public_token}/record.pdf")
    assert pdf.mimetype == "application/pdf"
    text = text_of(pdf.data)
    assert "模拟演练评估表" in text and run.content["title"].replace(" ", "") in text and "赵班长" in text
    assert "评分方法" in text and "漏做" in text
    assert_fonts_embedded(pdf.data)
    record = text_of(client.get(f"/inspections/{inspection}/record.pdf").data)
    assert run.content["title"].replace(" ", "") in record


def test_drills_need_an_inspector_and_an_open_inspection(db, client, inspection, auth, enterprise):
    run = register(db, client, inspection)
    client.post(f"/inspections/{inspection}/close")
    assert client.post(f"/api/drills/{run.public_token}/start", json={}).status_code == 422
    client.post("/logout")
    auth.login_as("enterprise", enterprise=enterprise)
    assert client.get(f"/drills/{run.public_token}").status_code == 403
    assert client.post(f"/api/drills/{run.public_token}/finish").status_code == 403


def test_the_enterprise_sees_its_drills_and_their_records_but_not_anothers(db, client, inspection, auth, enterprise):
    installed_cjk_font()
    run = register(db, client, inspection)
    client.post(f"/api/drills/{run.public_token}/finish")
    client.post("/logout")
    auth.login_as("enterprise", enterprise=enterprise)
    page = client.get(f"/enterprises/{enterprise.qr_token}").get_data(as_text=True)
    assert run.content["title"] in page and "不合格" in page
    assert client.get(f"/drills/{run.public_token}/record.pdf").mimetype == "application/pdf"
    from quizapp.models import Enterprise

    other = Enterprise(credit_code="91371300MA3C8H1X3T", name="另一家企业")
    db.session.add(other)
    db.session.commit()
    client.post("/logout")
    auth.make_user("enterprise", username="other-enterprise", enterprise=other)
    auth.login("other-enterprise")
    assert client.get(f"/drills/{run.public_token}/record.pdf").status_code == 404
