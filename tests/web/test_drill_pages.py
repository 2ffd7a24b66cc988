"""The admin drill template pages: list, a template in full, editing it as YAML."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from quizapp.bank.drills import drill_yaml
from quizapp.models import DrillTemplate
from tests.conftest import table_counts

URLS = ["/drill-templates/", "/drill-templates/DRILL-TABLETOP-REPORT", "/drill-templates/DRILL-TABLETOP-REPORT/edit"]


@pytest.fixture
def admin(auth, imported_bank):
    return auth.login_as("admin")


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def template(db, code: str = "DRILL-TABLETOP-REPORT") -> DrillTemplate:
    return db.session.scalar(select(DrillTemplate).where(DrillTemplate.code == code))


def current_text(db, code: str = "DRILL-TABLETOP-REPORT") -> str:
    item = template(db, code)
    return drill_yaml(item.code, item.status, item.current_version.content)


@pytest.mark.parametrize("url", URLS)
def test_only_admins_may_see_the_pages(auth, client, imported_bank, url):
    assert client.get(url).status_code == 302  # anonymous: to the login page
    auth.login_as("inspector")
    assert client.get(url).status_code == 403


def test_list_shows_every_template_with_its_steps(admin, client):
    html = page(client, "/drill-templates/")
    assert html.count('href="/drill-templates/DRILL-') == 2 * 17
    row = html[html.index("事故信息报告与应急指挥桌面推演"):]
    row = row[:row.index("</tr>")]
    assert "DRILL-TABLETOP-REPORT" in row and "通用" in row
    assert "<td>9</td>" in row and "<td>3</td>" in row  # steps, critical steps
    assert 'href="/drill-templates/"' in page(client, "/")  # the admin's nav link


def test_template_page_shows_the_whole_template(admin, client):
    html = page(client, "/drill-templates/DRILL-TABLETOP-REPORT")
    assert "导演组宣布情景：夜班22时" in html
    assert "主要负责人" in html  # a participant role by its name
    assert "口述：单位负责人接到报告后，在1小时内" in html and "是否说出1小时时限和报告对象" in html
    assert html.count('class="pill critical"') == 3
    assert "《安全生产法》第八十一条" in html and "《事故报告和调查处理条例》第九条" in html


def test_missing_template_is_404(admin, client):
    assert client.get("/drill-templates/NO-SUCH").status_code == 404


def test_editor_is_prefilled_with_the_template_as_yaml(admin, client, db):
    html = page(client, "/drill-templates/DRILL-TABLETOP-REPORT/edit")
    assert "id: DRILL-TABLETOP-REPORT" in html and "scenario: |-" in html
    assert "basis:\n  - {source: work-safety-law, article: &#39;81&#39;}" in html


def test_an_edit_with_problems_shows_their_lines_and_writes_nothing(admin, client, db):
    before = table_counts(db)
    text = current_text(db).replace("critical: false", "critical: maybe", 1)
    line = text.splitlines().index("        critical: maybe") + 1
    response = client.post("/drill-templates/DRILL-TABLETOP-REPORT/edit", data={"text": text})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(rf"\b{line}\D{{0,4}}critical 应为 true 或 false", html)  # the line, the problem in Chinese
    assert table_counts(db) == before
    client.get("/lang/en")
    html = client.post("/drill-templates/DRILL-TABLETOP-REPORT/edit", data={"text": "id: [\n"}).get_data(as_text=True)
    assert "Line 2: YAML syntax error" in html
    assert table_counts(db) == before


def test_a_valid_edit_makes_a_new_version_by_the_admin(admin, client, db):
    text = current_text(db).replace("duration_minutes: 70", "duration_minutes: 80")
    response = client.post("/drill-templates/DRILL-TABLETOP-REPORT/edit", data={"text": text})
    assert response.status_code == 302
    item = template(db)
    assert item.current_number == 2
    assert [(v.number, v.content["duration_minutes"]) for v in item.versions] == [(1, 70), (2, 80)]
    assert item.current_version.created_by_id == admin.id
    assert "第 2 版" in page(client, "/drill-templates/DRILL-TABLETOP-REPORT")
    # Saving the same text again changes nothing.
    assert client.post("/drill-templates/DRILL-TABLETOP-REPORT/edit", data={"text": text}).status_code == 302
    assert template(db).current_number == 2


def test_the_editor_can_retire_a_template_but_not_rename_it(admin, client, db):
    text = current_text(db) + "status: retired\n"
    assert client.post("/drill-templates/DRILL-TABLETOP-REPORT/edit", data={"text": text}).status_code == 302
    assert (template(db).status, template(db).current_number) == ("retired", 1)
    renamed = current_text(db).replace("id: DRILL-TABLETOP-REPORT", "id: DRILL-OTHER")
    response = client.post("/drill-templates/DRILL-TABLETOP-REPORT/edit", data={"text": renamed})
    assert response.status_code == 200 and "DRILL-OTHER" not in [t.code for t in db.session.scalars(
        select(DrillTemplate))]
