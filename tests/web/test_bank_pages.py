"""The admin bank pages: list with filters and search, history, editing, and upload."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from quizapp.bank.importer import import_bank
from quizapp.bank.validate import load_bank
from quizapp.models import Question
from tests.conftest import build_app, reset_schema, table_counts

MINI = Path(__file__).resolve().parent.parent / "data" / "mini_bank"


@pytest.fixture
def admin(auth, db):
    import_bank(db.session, load_bank(MINI, db.session))
    db.session.commit()
    return auth.login_as("admin")


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def listed_codes(html: str) -> list[str]:
    return [code for code in ("MINI-SINGLE", "MINI-MULTIPLE", "MINI-JUDGE", "MINI-FILL", "MINI-ORAL",
                              "MINI-PRACTICAL") if f">{code}</a>" in html]


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["MINI-SINGLE", "MINI-MULTIPLE", "MINI-JUDGE", "MINI-FILL", "MINI-ORAL", "MINI-PRACTICAL"]),
    ("?role=safety-manager", ["MINI-MULTIPLE"]),
    ("?industry=metallurgy", ["MINI-FILL"]),
    ("?topic=special-work", ["MINI-FILL", "MINI-PRACTICAL"]),  # a topic includes its sub-topics
    ("?topic=hot-work&type=practical", ["MINI-PRACTICAL"]),
    ("?difficulty=3", ["MINI-MULTIPLE", "MINI-ORAL"]),
    ("?q=撤离", ["MINI-SINGLE"]),
    ("?q=如实告知", ["MINI-ORAL"]),  # the explanation is searched too
    ("?q=mini-jud", ["MINI-JUDGE"]),
    ("?q=100%25", []),
    ("?status=retired", []),
])
def test_list_filters_and_search(admin, client, query, expected):
    assert listed_codes(page(client, "/bank/" + query)) == expected


def test_list_is_paginated(admin, client, app):
    app.config["QUIZAPP_PAGE_SIZE"] = 4
    first = page(client, "/bank/")
    assert "第 1 / 2 页" in first and len(listed_codes(first)) == 4
    second = page(client, "/bank/?page=2")
    assert len(listed_codes(second)) == 2 and "上一页" in second


def test_question_page_shows_content_basis_and_history(admin, client):
    html = page(client, "/bank/q/MINI-PRACTICAL")
    assert "电焊工作业前手指口述" in html
    assert "《安全生产法》第三十条" in html
    assert "《GB 30871-2022》5.2" in html
    assert "第 1 版" in html and "当前" in html
    assert client.get("/bank/q/NO-SUCH").status_code == 404


def edit_form(**changes) -> dict:
    form = {
        "stem": "未经安全生产教育和培训合格的从业人员，可以先上岗作业再补培训。",
        "answer": "错",
        "explanation": "未经安全生产教育和培训合格的从业人员，不得上岗作业。",
        "basis": "安全生产法 28",
        "roles": ["worker"], "industries": ["general"], "topics": ["law-responsibility"],
        "difficulty": "2", "status": "active",
    }
    form.update(changes)
    return form


def test_edit_creates_a_new_version_and_keeps_the_old(admin, client, db):
    response = client.post("/bank/q/MINI-JUDGE/edit",
                           data=edit_form(explanation="第二十八条：未经培训合格不得上岗作业。"))
    assert response.status_code == 302
    html = page(client, "/bank/q/MINI-JUDGE")
    assert "已保存为第 2 版" in html
    assert "第二十八条：未经培训合格不得上岗作业。" in html and "第 1 版" in html
    question = db.session.scalar(select(Question).where(Question.code == "MINI-JUDGE"))
    assert [v.explanation for v in question.versions] == [
        "未经安全生产教育和培训合格的从业人员，不得上岗作业。", "第二十八条：未经培训合格不得上岗作业。"]
    assert question.versions[1].created_by_id == admin.id


def test_saving_an_unchanged_form_creates_no_version(admin, client, db):
    client.post("/bank/q/MINI-JUDGE/edit", data=edit_form())
    assert "没有修改" in page(client, "/bank/q/MINI-JUDGE")
    assert db.session.scalar(select(Question.current_number).where(Question.code == "MINI-JUDGE")) == 1


def test_edit_shows_errors_by_field_and_saves_nothing(admin, client, db):
    client.get("/lang/en?next=/")  # the validator's own English text
    before = table_counts(db)
    response = client.post("/bank/q/MINI-JUDGE/edit",
                           data=edit_form(answer="也许", basis="安全生产法 200\n不存在的法 3", roles=[]))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    answer_block = html.split('name="answer"')[1].split('class="field')[0]
    assert "a judge answer is true or false, not &#39;也许&#39;" in answer_block
    basis_block = html.split('name="basis"')[1].split('class="field')[0]
    assert "work-safety-law has articles 1 to 119, not 200" in basis_block
    assert "unknown legal source &#39;不存在的法&#39;" in basis_block
    assert "roles must list at least one code" in html
    assert table_counts(db) == before


def test_edit_shows_errors_in_chinese_by_default(admin, client):
    response = client.post("/bank/q/MINI-JUDGE/edit",
                           data=edit_form(answer="也许", basis="安全生产法 200\n不存在的法 3", roles=[]))
    html = response.get_data(as_text=True)
    answer_block = html.split('name="answer"')[1].split('class="field')[0]
    assert "判断题的答案是 true 或 false，而不是 &#39;也许&#39;" in answer_block
    basis_block = html.split('name="basis"')[1].split('class="field')[0]
    assert "work-safety-law 只有第 1 至 119 条，没有第 200 条" in basis_block
    assert "未知的法规 &#39;不存在的法&#39;" in basis_block
    assert "roles 必须至少列出分类表中的一个代码" in html
    assert "a judge answer" not in html


def test_edit_of_a_multiple_choice_question(admin, client, db):
    form = edit_form(stem="安全生产教育和培训档案应当如实记录（  ）。",
                     options="教育和培训的时间\n内容\n参加人员\n考核结果", answer="ABCD",
                     explanation="安全生产法第二十八条。", roles=["safety-manager"], difficulty="3")
    assert client.post("/bank/q/MINI-MULTIPLE/edit", data=form).status_code == 302
    question = db.session.scalar(select(Question).where(Question.code == "MINI-MULTIPLE"))
    assert question.current_version.options == ["教育和培训的时间", "内容", "参加人员", "考核结果"]
    assert question.current_version.answer == ["A", "B", "C", "D"]


def upload(client, name: str, content: bytes, dry_run: bool = False):
    data = {"file": (io.BytesIO(content), name)}
    if dry_run:
        data["dry_run"] = "y"
    return client.post("/bank/upload", data=data, content_type="multipart/form-data")


def test_upload_imports_a_valid_file(admin, client, db):
    text = (MINI / "questions" / "law.yaml").read_text(encoding="utf-8").replace("只能等待领导指示", "只能等待班长指示")
    html = upload(client, "law.yaml", text.encode()).get_data(as_text=True)
    assert "导入完成" in html and "修改 1" in html and "未变 3" in html


def test_upload_check_only_imports_nothing(admin, client, db):
    before = table_counts(db)
    text = (MINI / "questions" / "law.yaml").read_text(encoding="utf-8").replace("只能等待领导指示", "只能等待班长指示")
    html = upload(client, "law.yaml", text.encode(), dry_run=True).get_data(as_text=True)
    assert "文件检查通过" in html
    assert table_counts(db) == before


def test_upload_with_problems_shows_the_same_report_and_imports_nothing(admin, client, db):
    before = table_counts(db)
    text = (MINI / "questions" / "law.yaml").read_text(encoding="utf-8").replace("answer: B", "answer: Z")
    html = upload(client, "law.yaml", text.encode()).get_data(as_text=True)
    assert "<code>law.yaml:12</code> 答案 &#39;Z&#39; 不是选项字母 A, B, C, D 之一" in html
    assert "发现 1 个问题，未导入任何内容" in html
    assert table_counts(db) == before


def test_upload_problems_are_in_english_when_english_is_chosen(admin, client):
    client.get("/lang/en?next=/")
    text = (MINI / "questions" / "law.yaml").read_text(encoding="utf-8").replace("answer: B", "answer: Z")
    html = upload(client, "law.yaml", text.encode()).get_data(as_text=True)
    assert "<code>law.yaml:12</code> answer &#39;Z&#39; is not one of the option letters A, B, C, D" in html
    assert "1 problem(s) found; nothing was imported." in html
    assert "不是选项字母" not in html


def test_upload_of_a_wrong_file_type(admin, client):
    html = upload(client, "notes.txt", b"hello").get_data(as_text=True)
    assert "请上传 .yaml、.xlsx 或 .gift 文件" in html


def test_upload_of_an_oversized_file_is_refused(tmp_path, make_user):
    app = build_app(tmp_path, MAX_CONTENT_LENGTH=1024)
    with app.app_context():
        reset_schema()
        make_user("admin", "big")
        client = app.test_client()
        client.post("/login", data={"username": "big", "password": "correct horse battery"})
        response = upload(client, "big.yaml", b"#" * 4096)
        assert response.status_code == 413
        assert "上传的文件太大" in response.get_data(as_text=True)


def test_bank_folder_copy_is_untouched_by_uploads(admin, client, tmp_path):
    """Uploads are checked in a temporary folder, never written into the bank folder."""
    shutil.copytree(MINI, tmp_path / "copy")
    upload(client, "law.yaml", (MINI / "questions" / "law.yaml").read_bytes())
    assert sorted(p.name for p in (tmp_path / "copy" / "questions").iterdir()) == ["floor.yaml", "law.yaml"]


def test_upload_keeps_a_chinese_file_name_in_the_report(admin, client):
    text = (MINI / "questions" / "law.yaml").read_text(encoding="utf-8").replace("answer: B", "answer: Z")
    html = upload(client, "题库/../法规题.yaml", text.encode()).get_data(as_text=True)
    assert "<code>法规题.yaml:12</code>" in html
