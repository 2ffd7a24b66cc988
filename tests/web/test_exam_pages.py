"""The exam screens through HTTP: worker mode with its lock, the inspector's marking, results, corrections."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from quizapp.exam.attempts import inspector_part, worker_part
from quizapp.models import Attempt, Certificate, Finding, Worker
from tests.conftest import PASSWORD, VALID_CREDIT_CODE, right_answers_as_shown


def form_fields(answers: dict[int, object]) -> dict[str, object]:
    """The form a tablet sends for ``answers`` (position → response as scored, letters as shown)."""
    fields: dict[str, object] = {}
    for index, answer in answers.items():
        name = f"q{index}"
        if isinstance(answer, bool):
            fields[name] = "true" if answer else "false"
        elif isinstance(answer, str):
            fields[name] = answer
        elif isinstance(answer, list) and all(len(x) == 1 and x.isupper() for x in answer):
            fields[name] = answer
        elif isinstance(answer, list):
            fields.update({f"{name}_b{number}": text for number, text in enumerate(answer)})
        elif "points" in answer:
            fields[f"{name}_points"] = [str(point) for point in answer["points"]]
        else:
            fields.update({f"{name}_s{number}": mark for number, mark in enumerate(answer["steps"])})
    return fields


@pytest.fixture
def scene(db, imported_bank, enterprise, auth, client):
    enterprise.industry_codes = ["nonferrous"]
    worker = Worker(enterprise=enterprise, name="赵师傅", role_code="worker", post="抛光")
    welder = Worker(enterprise=enterprise, name="钱师傅", role_code="special-operator", post="焊工",
                    required_category="welding-cutting")
    db.session.add_all([worker, welder])
    db.session.commit()
    inspector = auth.login_as("inspector")
    client.post(f"/e/{enterprise.qr_token}", data={"kind": "routine"})
    inspection_page = client.get(f"/e/{enterprise.qr_token}")
    token = inspection_page.headers["Location"].rsplit("/", 1)[1]
    return token, worker, welder, inspector


def start(client, inspection_token: str, worker: Worker, mode: str = "tablet", client_id: str | None = None):
    return client.post(f"/inspections/{inspection_token}/exams", data={
        "worker": worker.public_token, "client_id": client_id or str(uuid.uuid4()), "mode": mode})


def latest_attempt(db) -> Attempt:
    return db.session.scalars(select(Attempt).order_by(Attempt.id.desc())).first()


def test_worker_mode_locks_the_tablet_until_the_inspector_takes_it_back(db, client, scene):
    token, worker, _, _ = scene
    response = start(client, token, worker)
    attempt = latest_attempt(db)
    assert response.headers["Location"] == f"/attempts/{attempt.public_token}/take"
    assert client.get("/enterprises/").headers["Location"] == f"/attempts/{attempt.public_token}/take"
    assert client.get(f"/inspections/{token}").status_code == 302

    page = client.get(f"/attempts/{attempt.public_token}/take").get_data(as_text=True)
    right = right_answers_as_shown(db, attempt)
    part = worker_part(attempt)
    assert part and inspector_part(attempt)  # floor staff: objective items, then an oral item and a script
    assert "data-screen" in page and "quiz.js" in page and "mainnav" not in page
    assert "data-sync-banner" not in page  # no link out of the quiz, not even to records waiting to be sent
    assert "key_points" not in page and "weight" not in page  # nothing to mark is shown to the worker

    handed = client.post(f"/attempts/{attempt.public_token}/take",
                         data={"submission_id": str(uuid.uuid4()), **form_fields({i: right[i] for i in part})})
    assert handed.headers["Location"] == f"/attempts/{attempt.public_token}/take"
    assert "交还检查人员" in client.get(f"/attempts/{attempt.public_token}/take").get_data(as_text=True)

    wrong = client.post(f"/attempts/{attempt.public_token}/unlock", data={"password": "guess"})
    assert wrong.status_code == 302
    assert client.get("/enterprises/").headers["Location"].endswith("/take")
    unlocked = client.post(f"/attempts/{attempt.public_token}/unlock", data={"password": PASSWORD})
    assert unlocked.headers["Location"] == f"/attempts/{attempt.public_token}/mark"
    assert client.get("/enterprises/").status_code == 200

    marking = client.get(f"/attempts/{attempt.public_token}/mark").get_data(as_text=True)
    assert "答对" in marking and "漏做" in marking
    submission = {"submission_id": str(uuid.uuid4()),
                  **form_fields({i: right[i] for i in inspector_part(attempt)})}
    done = client.post(f"/attempts/{attempt.public_token}/mark", data=submission)
    assert done.headers["Location"] == f"/attempts/{attempt.public_token}"
    db.session.expire_all()
    assert latest_attempt(db).score == 100.0 and latest_attempt(db).passed
    result = client.get(f"/attempts/{attempt.public_token}").get_data(as_text=True)
    assert "100.0" in result and "合格" in result
    assert client.post(f"/attempts/{attempt.public_token}/mark", data=submission).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Finding)) == 0


def test_an_oral_exam_is_marked_by_the_inspector_and_a_failure_becomes_a_finding(db, client, scene):
    token, worker, _, _ = scene
    response = start(client, token, worker, mode="oral")
    attempt = latest_attempt(db)
    assert response.headers["Location"] == f"/attempts/{attempt.public_token}/mark"
    assert client.get("/enterprises/").status_code == 200  # no lock: the inspector holds the tablet
    quick_marks = {f"q{i}_mark": "wrong" for i, item in enumerate(attempt.items) if item["type"] == "oral"}
    client.post(f"/attempts/{attempt.public_token}/mark", data={"submission_id": str(uuid.uuid4()), **quick_marks})
    db.session.expire_all()
    attempt = latest_attempt(db)
    assert attempt.status == "final" and attempt.score == 0 and not attempt.passed
    finding = db.session.scalars(select(Finding)).one()
    assert finding.kind == "failed_exam" and finding.due_on > date.today()
    page = client.get(f"/inspections/{token}").get_data(as_text=True)
    assert "考试不合格" in page and "《安全生产法》第二十八条" in page
    result = client.get(f"/attempts/{attempt.public_token}").get_data(as_text=True)
    assert "正确答案" in result and "法规依据" in result


def test_a_correction_is_a_new_record_and_the_old_result_stays(db, client, scene):
    token, worker, _, _ = scene
    start(client, token, worker, mode="oral")
    original = latest_attempt(db)
    client.post(f"/attempts/{original.public_token}/mark", data={"submission_id": str(uuid.uuid4())})
    request_id = str(uuid.uuid4())
    corrected = client.post(f"/attempts/{original.public_token}/correct",
                            data={"client_id": request_id, "reason": "录入时点错了人"})
    correction = latest_attempt(db)
    assert correction.corrects_id == original.id and correction.correction_reason == "录入时点错了人"
    assert corrected.headers["Location"] == f"/attempts/{correction.public_token}/mark"
    again = client.post(f"/attempts/{original.public_token}/correct", data={"client_id": request_id, "reason": "x"})
    assert again.headers["Location"] == corrected.headers["Location"]  # a repeated tap: the same correction
    right = right_answers_as_shown(db, correction)
    client.post(f"/attempts/{correction.public_token}/mark",
                data={"submission_id": str(uuid.uuid4()), **form_fields(dict(enumerate(right)))})
    db.session.expire_all()
    assert db.session.get(Attempt, original.id).score == 0
    assert db.session.get(Attempt, correction.id).score == 100
    page = client.get(f"/inspections/{token}").get_data(as_text=True)
    assert "100.0" in page and "考试不合格" not in page  # the finding of the corrected result is withdrawn
    assert "已更正" in client.get(f"/attempts/{original.public_token}").get_data(as_text=True)


def test_closing_records_certificate_findings_and_locks_the_inspection(db, client, scene, enterprise):
    token, worker, welder, _ = scene
    welder.certificates.append(Certificate(category_code="welding-cutting", number="T371300",
                                           issued_on=date.today() - timedelta(days=365 * 7)))
    db.session.commit()
    assert "检查结束时记录为问题" in client.get(f"/inspections/{token}").get_data(as_text=True)
    client.post(f"/inspections/{token}/close")
    finding = db.session.scalars(select(Finding)).one()
    assert (finding.kind, finding.worker_id) == ("certificate_expired", welder.id)
    assert {"source": "major-hazard-criteria", "article": "3(二)"} in finding.basis
    page = client.get(f"/inspections/{token}").get_data(as_text=True)
    assert "特种作业操作证已过期" in page and "工贸重大隐患判定标准" in page
    refused = start(client, token, worker)
    assert refused.headers["Location"] == f"/inspections/{token}"
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_bad_input_changes_nothing(db, client, scene, enterprise):
    token, worker, _, _ = scene
    assert start(client, "no-such-inspection", worker).status_code == 404
    from quizapp.models import Enterprise

    other = Enterprise(credit_code="91371300MA3C8H1X3T", name="另一家企业")
    stranger = Worker(enterprise=other, name="孙某", role_code="worker")
    db.session.add_all([other, stranger])
    db.session.commit()
    assert VALID_CREDIT_CODE != other.credit_code
    assert start(client, token, stranger).headers["Location"] == f"/inspections/{token}"
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0

    start(client, token, worker)
    attempt = latest_attempt(db)
    single = next(i for i, item in enumerate(attempt.items) if item["type"] == "single")
    tampered = client.post(f"/attempts/{attempt.public_token}/take",
                           data={"submission_id": str(uuid.uuid4()), f"q{single}": "Z"})
    assert tampered.headers["Location"] == f"/attempts/{attempt.public_token}/take"
    db.session.expire_all()
    assert latest_attempt(db).responses is None and latest_attempt(db).status == "in_progress"
