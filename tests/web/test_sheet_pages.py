"""Paper through HTTP and the command line: print, read the PDFs back, scan a sheet's QR code, enter it."""

from __future__ import annotations

import uuid

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from quizapp.cli import main
from quizapp.models import Attempt, PaperSheet, Worker
from tests.conftest import VALID_CREDIT_CODE, right_answers_as_shown
from tests.pdf.pdfcheck import assert_fonts_embedded, installed_cjk_font, page_texts, qr_codes_in, text_of
from tests.web.test_exam_pages import form_fields


@pytest.fixture
def scene(db, imported_bank, enterprise, auth):
    installed_cjk_font()
    enterprise.industry_codes = ["nonferrous"]
    worker = Worker(enterprise=enterprise, name="赵师傅", role_code="worker", post="抛光")
    db.session.add(worker)
    db.session.commit()
    auth.login_as("inspector")
    return enterprise, worker


def print_batch(client, enterprise, count: int = 3) -> str:
    """Print ``count`` papers from the enterprise page; the batch's id."""
    response = client.post(f"/enterprises/{enterprise.qr_token}/sheets", data={"role": "worker", "count": count})
    assert response.status_code == 302
    batch = response.headers["Location"].rsplit("/", 1)[1]
    return batch


def sheets_of(db, batch: str) -> list[PaperSheet]:
    return list(db.session.scalars(select(PaperSheet).where(PaperSheet.batch == batch).order_by(PaperSheet.id)))


def stems(db, sheet: PaperSheet) -> list[str]:
    from quizapp.exam.papers import items_view

    return ["".join(item["stem"].split()) for item in items_view(db.session, sheet.items)]


def test_printed_papers_read_back_with_their_stems_fonts_and_qr_codes(db, client, scene, tmp_path):
    enterprise, _ = scene
    batch = print_batch(client, enterprise)
    sheets = sheets_of(db, batch)
    assert len(sheets) == 3
    page = client.get(f"/sheets/{batch}").get_data(as_text=True)
    assert all(sheet.token[:8].upper() in page for sheet in sheets)

    pdf = client.get(f"/sheets/{batch}/papers.pdf")
    assert pdf.mimetype == "application/pdf"
    text = text_of(pdf.data)
    for sheet in sheets:
        assert all(stem[:12] in text for stem in stems(db, sheet))
    assert_fonts_embedded(pdf.data)
    texts = page_texts(pdf.data)
    first_pages = [number for number, text in enumerate(texts, 1) if "第 1 页" in text or "第1页" in text]
    assert len(first_pages) == 3
    found = [qr_codes_in(pdf.data, tmp_path, page) for page in first_pages]
    assert found == [[f"http://localhost/s/{sheet.token}"] for sheet in sheets]

    key = client.get(f"/sheets/{batch}/key.pdf")
    key_text = text_of(key.data)
    assert all(sheet.token[:8].upper() in key_text for sheet in sheets)
    assert_fonts_embedded(key.data)


def test_a_sheet_is_entered_from_its_qr_code_once(db, client, scene, enterprise):
    _, worker = scene
    sheet = sheets_of(db, print_batch(client, enterprise, count=1))[0]
    assert client.get(f"/s/{sheet.token}").headers["Location"] == f"/e/{enterprise.qr_token}"  # check in first
    client.post(f"/e/{enterprise.qr_token}", data={"kind": "routine"})
    entry = client.get(f"/s/{sheet.token}").get_data(as_text=True)
    assert "赵师傅" in entry and "答对" in entry
    answers = form_fields(dict(enumerate(right_answers_as_shown(db, sheet))))
    done = client.post(f"/s/{sheet.token}", data={"submission_id": str(uuid.uuid4()), "worker": worker.public_token,
                                                    **answers})
    db.session.expire_all()
    attempt = db.session.scalars(select(Attempt)).one()
    assert done.headers["Location"] == f"/attempts/{attempt.public_token}"
    assert (attempt.mode, attempt.score, attempt.worker_id) == ("paper", 100.0, worker.id)
    again = client.post(f"/s/{sheet.token}", data={"submission_id": str(uuid.uuid4()), "worker": worker.public_token})
    assert again.headers["Location"] == f"/attempts/{attempt.public_token}"  # final: shown, not entered again
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_a_paper_exam_for_one_worker_prints_that_workers_sheet(db, client, scene, enterprise, tmp_path):
    _, worker = scene
    client.post(f"/e/{enterprise.qr_token}", data={"kind": "routine"})
    inspection = client.get(f"/e/{enterprise.qr_token}").headers["Location"].rsplit("/", 1)[1]
    started = client.post(f"/inspections/{inspection}/exams", data={
        "worker": worker.public_token, "client_id": str(uuid.uuid4()), "mode": "paper"})
    sheet = db.session.scalars(select(PaperSheet)).one()
    assert started.headers["Location"] == f"/sheets/{sheet.batch}"
    assert sheet.attempt.worker_id == worker.id and sheet.attempt.mode == "paper"
    text = text_of(client.get(f"/sheets/{sheet.batch}/papers.pdf").data)
    assert "赵师傅" in text and "抛光" in text
    assert qr_codes_in(client.get(f"/sheets/{sheet.batch}/papers.pdf").data, tmp_path) == [
        f"http://localhost/s/{sheet.token}"]


def test_the_exam_record_lists_staff_scores_findings_and_signatures(db, client, scene, enterprise):
    _, worker = scene
    client.post(f"/e/{enterprise.qr_token}", data={"kind": "routine"})
    inspection = client.get(f"/e/{enterprise.qr_token}").headers["Location"].rsplit("/", 1)[1]
    client.post(f"/inspections/{inspection}/exams", data={
        "worker": worker.public_token, "client_id": str(uuid.uuid4()), "mode": "oral"})
    attempt = db.session.scalars(select(Attempt)).one()
    client.post(f"/attempts/{attempt.public_token}/mark", data={"submission_id": str(uuid.uuid4())})
    record = client.get(f"/inspections/{inspection}/record.pdf")
    assert record.mimetype == "application/pdf"
    text = text_of(record.data)
    for expected in ("检查考核记录表", enterprise.name, VALID_CREDIT_CODE, "赵师傅", "0.0", "不合格",
                     "考试不合格", "《安全生产法》第二十八条", "签名"):
        assert expected in text, expected
    assert_fonts_embedded(record.data)


def test_the_command_line_prints_papers_and_their_answer_key(db, runner, scene, enterprise, tmp_path):
    out, key = tmp_path / "papers.pdf", tmp_path / "key.pdf"
    result = runner.invoke(main, ["papers", "print", "--enterprise", VALID_CREDIT_CODE, "--role", "worker",
                                 "--count", "4", "--out", str(out), "--answer-key", str(key),
                                 "--base-url", "https://quiz.example.cn"])
    assert result.exit_code == 0, result.output
    sheets = list(db.session.scalars(select(PaperSheet)))
    assert len(sheets) == 4
    assert len(PdfReader(out).pages) >= 4
    assert qr_codes_in(out.read_bytes(), tmp_path) == [f"https://quiz.example.cn/s/{sheets[0].token}"]
    assert all(sheet.token[:8].upper() in text_of(key.read_bytes()) for sheet in sheets)
    bad = runner.invoke(main, ["papers", "print", "--enterprise", VALID_CREDIT_CODE, "--role", "nobody",
                              "--out", str(out)])
    assert bad.exit_code != 0 and "nobody" in bad.output


def test_enterprise_users_cannot_print_or_enter_sheets(db, client, scene, enterprise, auth):
    batch = print_batch(client, enterprise, count=1)
    sheet = sheets_of(db, batch)[0]
    client.post("/logout")
    auth.login_as("enterprise", enterprise=enterprise)
    for url in (f"/sheets/{batch}", f"/sheets/{batch}/papers.pdf", f"/s/{sheet.token}",
                f"/enterprises/{enterprise.qr_token}/sheets"):
        assert client.get(url).status_code == 403, url
