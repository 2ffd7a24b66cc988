"""Workers' personal data (PIPL): ID-card numbers never in clear anywhere, names masked in files, everything held
on a person handed to an admin as JSON, and erasing a person without changing a single figure."""

from __future__ import annotations

import csv
import json
import uuid
from datetime import UTC, date, datetime
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import func, select

from quizapp.exam.attempts import correct_attempt, start_attempt, submit_attempt
from quizapp.exam.blueprint import blueprint_for
from quizapp.exam.drill_runs import finish_run, start_run
from quizapp.exam.inspections import check_in, close_inspection
from quizapp.exam.personal_data import ERASED_NOTE, ERASED_PREFIX, mask_name
from quizapp.exam.practice import create_practice, submit_practice
from quizapp.exam.rectification import report_rectified
from quizapp.exam.roster import hash_id_number, mask_id_number
from quizapp.models import Attempt, Certificate, DrillTemplate, Finding, Inspection, Worker
from quizapp.web.review import UPLOAD_FOLDER
from tests.analytics.test_enterprise_review import FEBRUARY, JANUARY, build_scene, examine, record_certificate_finding
from tests.conftest import right_answers_as_shown
from tests.pdf.pdfcheck import text_of
from tests.web.test_enterprise_import_pages import upload

ID_A = "371302199001011233"  # valid check characters, as on real cards
ID_B = "37130219851212004X"
ID_C = "11010519491231002X"
ALL_IDS = (ID_A, ID_B, ID_C)
REVIEW_TABLES = ("reexams", "findings", "results", "pass-rates", "inspections", "topics", "wrong-answers", "practice")
DASHBOARD_TABLES = ("months", "counties", "enterprises", "industries", "roles", "topics")
PERIOD = "start=2026-01-01&end=2026-03-31"


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    return list(csv.reader(StringIO(response.data.decode("utf-8-sig"))))


def sign_in(client, auth, username: str) -> None:
    client.post("/logout")
    assert auth.login(username).status_code == 302


def test_the_masking_rule():
    assert [mask_name(name) for name in ("李大明", "王五", "欧阳娜娜", "赵", " 张三 ", "")] == [
        "李*明", "王*", "欧**娜", "*", "张*", ""]
    assert mask_name(ERASED_PREFIX + "ab12") == ERASED_PREFIX + "ab12"


# 1. ID-card numbers: a keyed hash and a mask, never the number


def every_stored_text(db, leave_out: tuple[str, ...] = ()) -> str:
    """Every value of every column of every table (but those left out), as text (JSON columns dumped)."""
    texts = []
    for table in db.metadata.sorted_tables:
        if table.name in leave_out:
            continue
        for row in db.session.execute(select(table)):
            texts += [json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
                      for value in row]
    return "\n".join(texts)


def test_id_numbers_are_kept_only_hashed_and_masked_everywhere(app, db, client, auth, imported_bank, enterprise,
                                                                 make_user):
    admin = auth.login_as("admin")
    inspector = make_user("inspector")
    roster = [["姓名", "岗位角色", "岗位", "岗位要求的特种作业", "身份证号", "特种作业类别", "证书编号", "发证日期"],
              ["张建国", "特种作业人员", "电焊", "焊接与热切割作业", ID_A, "焊接与热切割作业", f"T{ID_A}",
               "2015-05-01"],
              ["王芳", "一线从业人员", "抛光", "", ID_B.lower(), "", "", ""]]
    response = client.post(f"/enterprises/{enterprise.qr_token}/workers/import", data=upload(roster, "人员.xlsx"))
    assert response.status_code == 302
    response = client.post(f"/enterprises/{enterprise.qr_token}/workers/new", data={
        "name": "李焊工", "role_code": "special-operator", "post": "电焊", "required_category": "welding-cutting",
        "id_number": ID_C, "certificate_category": "welding-cutting", "certificate_number": f"T{ID_C}",
        "certificate_issued_on": "2023-05-01"})
    assert response.status_code == 302
    workers = {worker.name: worker for worker in db.session.scalars(select(Worker))}
    assert {name: worker.id_number_masked for name, worker in workers.items()} == {
        "张建国": "3713**********1233", "王芳": "3713**********004X", "李焊工": "1101**********002X"}
    assert workers["王芳"].id_number_hash == hash_id_number(app.config["QUIZAPP_ID_HASH_KEY"].encode(), ID_B)
    assert [certificate.number for certificate in workers["张建国"].certificates] == ["T3713**********1233"]
    assert [certificate.number for certificate in workers["李焊工"].certificates] == ["T1101**********002X"]

    # Results, findings (张建国's certificate expired) and a practice quiz, so that every page has something to show.
    inspection = check_in(db.session, enterprise, inspector, now=JANUARY)
    failed = examine(db, inspection, workers["王芳"], inspector, right="none")
    close_inspection(db.session, inspection, inspector, now=JANUARY)
    create_practice(db.session, client_id=str(uuid.uuid4()), enterprise=enterprise, worker=workers["张建国"],
                    created_by=admin, topics=[], length=5)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Finding)) == 2

    stored = every_stored_text(db)
    token = enterprise.qr_token
    pages = [client.get(url).get_data(as_text=True) for url in (
        f"/enterprises/{token}", f"/inspections/{inspection.public_token}", f"/enterprises/{token}/review",
        f"/enterprises/{token}/review/topics", f"/enterprises/{token}/review/results/{failed.public_token}",
        f"/enterprises/{token}/practice",
        *(f"/enterprises/{token}/workers/{worker.public_token}" for worker in workers.values()),
        *(f"/workers/{worker.public_token}/personal-data.json" for worker in workers.values()))]
    files = [client.get(f"/enterprises/{token}/review/export/{table}.csv{names}").data.decode("utf-8-sig")
             for table in REVIEW_TABLES for names in ("", "?names=full")]
    files += [client.get(f"/dashboard/export/{table}.csv?{PERIOD}").data.decode("utf-8-sig")
              for table in DASHBOARD_TABLES]
    for table in REVIEW_TABLES:
        sheet = load_workbook(BytesIO(client.get(f"/enterprises/{token}/review/export/{table}.xlsx?names=full").data))
        files.append(json.dumps(list(sheet.active.iter_rows(values_only=True)), ensure_ascii=False, default=str))
    pdf = client.get(f"/enterprises/{token}/file.pdf?names=full")
    if pdf.status_code == 200:  # 302 on a machine without a CJK font
        files.append(text_of(pdf.data))
    everything = "\n".join([stored, *pages, *files]).upper()
    for number in ALL_IDS:
        assert number not in everything
        assert number[:17] not in everything  # not even without its check character
    assert all(worker.id_number_masked in pages[0] for worker in workers.values())  # the roster shows the masks
    assert "3713**********004X" in pages[-2] and "T1101**********002X" in pages[-1]  # as do the data downloads
    assert "张建国" in pages[0] and "张*国" not in pages[0]  # the pages keep full names


# 2. Everything held on a worker, for an admin


@pytest.fixture
def story(app, db, imported_bank, enterprise, make_user):
    """The review scene, with more about 钱: an ID-card number, a certificate, a corrected result, a drill and a
    practice quiz; and 吴's certificate finding reported rectified with a note and a photo."""
    scene = build_scene(db, enterprise, make_user("inspector"))
    qian = scene.workers["钱"]
    qian.id_number_hash = hash_id_number(app.config["QUIZAPP_ID_HASH_KEY"].encode(), ID_A)
    qian.id_number_masked = mask_id_number(ID_A)
    qian.certificates.append(Certificate(category_code="welding-cutting", number="T3713**********1233",
                                         issued_on=date(2024, 3, 1)))
    template = db.session.scalars(select(DrillTemplate)).first()
    run = start_run(db.session, client_id=str(uuid.uuid4()), inspection=scene.attempts["钱 again"].inspection,
                    template=template.current_version, examiner=scene.inspector, participants=[qian])
    finish_run(db.session, run, now=FEBRUARY)
    correction = correct_attempt(db.session, scene.attempts["钱"], client_id=str(uuid.uuid4()),
                                 examiner=scene.inspector, reason="答案录错了", now=JANUARY)
    submit_attempt(db.session, correction, submission_id=str(uuid.uuid4()),
                   responses=right_answers_as_shown(db, correction), now=JANUARY)
    manager = make_user("enterprise", username="manager", enterprise=enterprise)
    quiz = create_practice(db.session, client_id=str(uuid.uuid4()), enterprise=enterprise, worker=qian,
                           created_by=manager, topics=[], length=5)
    submit_practice(db.session, quiz, submission_id=str(uuid.uuid4()), responses=right_answers_as_shown(db, quiz))
    db.session.commit()
    finding = record_certificate_finding(db, scene)
    photo = BytesIO()
    Image.new("RGB", (8, 8), "white").save(photo, "PNG")
    photo.seek(0)
    report_rectified(db.session, finding, manager, "吴师傅已报名参加焊工培训", photo,
                     Path(app.instance_path) / UPLOAD_FOLDER)
    db.session.commit()
    make_user("admin")
    return {"scene": scene, "run": run, "correction": correction, "quiz": quiz, "finding": finding}


def test_an_admin_downloads_everything_held_on_a_worker(db, client, auth, story):
    scene = story["scene"]
    qian = scene.workers["钱"]
    sign_in(client, auth, "admin-user")
    response = client.get(f"/workers/{qian.public_token}/personal-data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"] and "钱" not in response.headers[
        "Content-Disposition"]
    document = json.loads(response.data)
    assert document["worker"] | {"created_at": None, "public_token": None} == {
        "name": "钱", "role": "worker", "post": "抛光", "required_certificate": None,
        "id_number_masked": "3713**********1233", "created_at": None, "public_token": None, "erased_at": None,
        "enterprise": {"name": scene.enterprise.name, "credit_code": scene.enterprise.credit_code,
                       "county": "罗庄区"}}
    assert [(c["category"], c["number"], c["state"]) for c in document["certificates"]] == [
        ("welding-cutting", "T3713**********1233", "valid")]

    attempts = {attempt["attempt"]: attempt for attempt in document["attempts"]}
    stored = db.session.scalars(select(Attempt).where(Attempt.worker_id == qian.id)).all()
    assert set(attempts) == {attempt.public_token for attempt in stored} and len(stored) == 3
    for attempt in stored:
        given = attempts[attempt.public_token]
        assert (given["score"], given["verdict"], given["mode"]) == (
            attempt.score, "passed" if attempt.passed else "failed", attempt.mode)
        assert given["inspection"]["date"] == attempt.inspection.local_date.isoformat()
        assert [item["response"] for item in given["items"]] == attempt.responses
        assert [item["score"] for item in given["items"]] == attempt.item_scores
        assert all(item["stem"] and item["question"] for item in given["items"])
    original = scene.attempts["钱"].public_token
    assert attempts[story["correction"].public_token]["corrects"] == original
    assert attempts[story["correction"].public_token]["correction_reason"] == "答案录错了"
    assert attempts[original]["verdict"] == "failed"

    [failed_exam] = document["findings"]
    assert (failed_exam["kind"], failed_exam["rectification"]["state"]) == ("failed_exam", "reexam")
    assert failed_exam["legal_basis"]
    [drill] = document["drill_runs"]
    assert (drill["drill_run"], drill["status"]) == (story["run"].public_token, "finished")
    [quiz] = document["practice_quizzes"]
    assert (quiz["practice_quiz"], quiz["verdict"], len(quiz["items"])) == (story["quiz"].public_token, "passed", 5)
    trail = document["audit_events"]
    assert {(entry["table"], entry["action"]) for entry in trail} >= {
        ("workers", "insert"), ("certificates", "insert"), ("attempts", "insert"), ("attempts", "update"),
        ("findings", "insert")}
    assert any(entry["after"] and entry["after"].get("correction_reason") == "答案录错了" for entry in trail)
    assert {(entry["after"] or {}).get("id_number_hash") for entry in trail if entry["table"] == "workers"} <= {
        None, "[redacted]"}

    wu = story["finding"].worker
    [certificate_finding] = client.get(f"/workers/{wu.public_token}/personal-data.json").get_json()["findings"]
    assert certificate_finding["rectification"] | {"rectified_at": None} == {
        "state": "awaiting_verification", "rectified_at": None, "note": "吴师傅已报名参加焊工培训", "photo": True,
        "verified_at": None, "verification_note": ""}


# 3. Erasing a person


def figures(client, token: str) -> dict[str, list]:
    """The enterprise's review tables and the dashboard's, as downloaded, without the columns that name people
    (or carry notes about them)."""
    found = {}
    for table in REVIEW_TABLES:
        rows = csv_rows(client.get(f"/enterprises/{token}/review/export/{table}.csv?names=full&period=quarter"))
        people = [index for index, header in enumerate(rows[0]) if header in ("Staff", "Note")]
        found[table] = sorted([value for index, value in enumerate(row) if index not in people] for row in rows)
    for table in DASHBOARD_TABLES:
        found[f"dashboard {table}"] = csv_rows(client.get(f"/dashboard/export/{table}.csv?{PERIOD}"))
    return found


def test_erasing_a_worker_keeps_every_figure(app, db, client, auth, story):
    scene = story["scene"]
    qian, wu = scene.workers["钱"], story["finding"].worker
    token = scene.enterprise.qr_token
    sign_in(client, auth, "admin-user")
    client.get("/lang/en")
    before = figures(client, token)
    assert len(before["results"]) == 5 and len(before["findings"]) > 2
    photo = Path(app.instance_path) / UPLOAD_FOLDER / story["finding"].rectification_photo
    assert photo.is_file()
    worker_page = client.get(f"/enterprises/{token}/workers/{qian.public_token}").get_data(as_text=True)
    assert f"/workers/{qian.public_token}/erase" in worker_page and "personal-data.json" in worker_page

    for person in (qian, wu):
        response = client.post(f"/workers/{person.public_token}/erase",
                               data={"confirm": "y", "reason": "本人 2026-03-01 书面申请删除"})
        assert response.status_code == 302 and response.headers["Location"] == f"/enterprises/{token}"
    assert "their results stay, under 已删除人员-" in client.get(f"/enterprises/{token}").get_data(as_text=True)

    assert figures(client, token) == before
    db.session.expire_all()
    assert (qian.name, qian.id_number_hash, qian.id_number_masked, qian.certificates) == (
        ERASED_PREFIX + qian.public_token[:4], None, "", [])
    assert qian.erased_at is not None and wu.erased_at is not None
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0
    assert db.session.scalar(select(func.count()).where(Attempt.worker_id == qian.id)) == 3
    finding = db.session.get(Finding, story["finding"].id)
    assert (finding.rectification_note, finding.rectification_photo) == (ERASED_NOTE, None)
    assert not photo.exists()
    # Outside the append-only audit trail nothing is left; the trail's entries of the erasure carry its reason.
    everything = every_stored_text(db, leave_out=("audit_events",))
    assert "3713**********1233" not in everything and "吴师傅已报名参加焊工培训" not in everything
    erasure = client.get(f"/workers/{qian.public_token}/personal-data.json").get_json()["audit_events"]
    [renamed] = [entry for entry in erasure if entry["table"] == "workers" and "name" in (entry["after"] or {})
                 and entry["action"] == "update"]
    assert (renamed["before"]["name"], renamed["after"]["name"]) == ("钱", qian.name)
    assert renamed["reason"] == "本人 2026-03-01 书面申请删除"

    # Gone from rosters, pickers and pages; the data download shows what is left.
    today = check_in(db.session, scene.enterprise, scene.inspector)
    db.session.commit()
    for url in (f"/enterprises/{token}", f"/enterprises/{token}/practice", f"/inspections/{today.public_token}",
                f"/inspections/{today.public_token}/drills/new"):
        page = client.get(url).get_data(as_text=True)
        assert qian.public_token not in page and wu.public_token not in page, url
        assert scene.workers["赵"].public_token in page, url
    assert client.get(f"/enterprises/{token}/workers/{qian.public_token}").status_code == 404
    assert client.post(f"/workers/{qian.public_token}/erase", data={"confirm": "y", "reason": "x"}).status_code == 404
    left = client.get(f"/workers/{qian.public_token}/personal-data.json").get_json()
    assert left["worker"]["name"] == qian.name and left["worker"]["erased_at"] and left["certificates"] == []
    assert len(left["attempts"]) == 3

    # The same person imported again is a new row.
    roster = [["姓名", "岗位角色", "岗位", "身份证号"], ["钱", "一线从业人员", "抛光", ID_A]]
    assert client.post(f"/enterprises/{token}/workers/import", data=upload(roster, "人员.xlsx")).status_code == 302
    again = db.session.scalars(select(Worker).where(Worker.erased_at.is_(None), Worker.name == "钱")).one()
    assert again.id != qian.id and again.id_number_masked == mask_id_number(ID_A)


def test_erasing_needs_a_confirmation_and_waits_for_an_exam_to_finish(db, client, auth, imported_bank, enterprise,
                                                                    make_user):
    inspector = make_user("inspector")
    worker = Worker(enterprise=enterprise, name="孙四海", role_code="worker", id_number_masked=mask_id_number(ID_A))
    db.session.add(worker)
    db.session.commit()
    make_user("admin")
    sign_in(client, auth, "admin-user")
    client.get("/lang/en")
    erase = f"/workers/{worker.public_token}/erase"
    page = f"/enterprises/{enterprise.qr_token}/workers/{worker.public_token}"

    response = client.post(erase, data={"reason": "本人申请"})
    assert response.headers["Location"] == page
    assert "Tick the box to confirm the erasure." in client.get(page).get_data(as_text=True)
    client.post(erase, data={"confirm": "y", "reason": ""})
    assert "Give the reason for the erasure." in client.get(page).get_data(as_text=True)

    inspection = check_in(db.session, enterprise, inspector, now=datetime.now(UTC))
    attempt = start_attempt(db.session, client_id=str(uuid.uuid4()), inspection=inspection, worker=worker,
                            examiner=inspector, blueprint=blueprint_for(db.session, worker.role_code))
    db.session.commit()
    client.post(erase, data={"confirm": "y", "reason": "本人申请"})
    assert ("孙四海 is taking an exam in an open inspection; finish or hand in that exam first"
            in client.get(page).get_data(as_text=True))
    db.session.expire_all()
    assert (worker.name, worker.erased_at, worker.id_number_masked) == ("孙四海", None, mask_id_number(ID_A))

    submit_attempt(db.session, attempt, submission_id=str(uuid.uuid4()),
                   responses=right_answers_as_shown(db, attempt))
    db.session.commit()
    assert client.post(erase, data={"confirm": "y", "reason": "本人申请"}).status_code == 302
    db.session.expire_all()
    assert worker.erased_at is not None and db.session.get(Inspection, inspection.id).status == "open"
