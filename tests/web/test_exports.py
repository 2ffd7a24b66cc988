"""Downloads through HTTP: tables as CSV and Excel, the enterprise's file as a PDF, and who may have them; staff
names masked unless full names are asked for."""

from __future__ import annotations

import csv
from io import BytesIO, StringIO

import pytest
from openpyxl import load_workbook

from quizapp.analytics.exports import Percent, Table, table_file
from quizapp.models import Finding
from tests.analytics.test_enterprise_review import Scene, build_scene, record_certificate_finding
from tests.pdf.pdfcheck import assert_fonts_embedded, installed_cjk_font, text_of
from tests.web.test_review_pages import other  # noqa: F401 - a fixture

ID_NUMBER_MASKED = "371302********1234"
PHONE = "13912345678"
FULL_NAMES = {"赵": "赵一明", "钱": "钱二", "李": "李三丰", "孙": "孙四海"}  # the scene's people, given real names
MASKED = {"赵": "赵*明", "钱": "钱*", "李": "李*丰", "孙": "孙*海", "吴": "吴*军"}


@pytest.fixture
def scene(db, imported_bank, enterprise, make_user) -> Scene:
    enterprise.address = "罗庄区工业园 8 号"
    enterprise.contact_phone = PHONE
    scene = build_scene(db, enterprise, make_user("inspector"))
    for short, name in FULL_NAMES.items():
        scene.workers[short].name = name
    scene.workers["赵"].id_number_masked = ID_NUMBER_MASKED
    db.session.commit()
    return scene


@pytest.fixture
def finding(db, scene) -> Finding:
    finding = record_certificate_finding(db, scene)
    finding.worker.name = "吴小军"
    db.session.commit()
    return finding


def sign_in(client, auth, username: str) -> None:
    """Sign in as ``username``, in the default language (Chinese)."""
    client.post("/logout")
    assert auth.login(username).status_code == 302


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads the file as UTF-8
    return list(csv.reader(StringIO(response.data.decode("utf-8-sig"))))


def workbook_rows(response) -> tuple[list[tuple], object]:
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data)).active
    return list(sheet.iter_rows(values_only=True)), sheet


def test_one_writer_for_both_formats():
    table = Table("a/b:c", ["名称", "合格率"], [("甲", Percent(0.5)), ("乙", None)])
    assert table_file(table, "csv").decode("utf-8-sig").splitlines() == ["名称,合格率", "甲,50.0%", "乙,"]
    sheet = load_workbook(BytesIO(table_file(table, "xlsx"))).active
    assert sheet.title == "a b c"
    assert [cell.font.bold for cell in sheet[1]] == [True, True]
    assert (sheet["B2"].value, sheet["B2"].number_format, sheet["B3"].value) == (0.5, "0%", None)
    with pytest.raises(ValueError):
        table_file(table, "ods")


def test_review_tables_as_csv_and_excel(client, auth, enterprise, scene, finding, make_user):
    make_user("enterprise", username="manager", enterprise=enterprise)
    sign_in(client, auth, "manager")
    base = f"/enterprises/{enterprise.qr_token}/review/export"

    results = csv_rows(client.get(f"{base}/results.csv"))
    assert results[0][:4] == ["人员", "岗位类别", "日期", "成绩"]  # "Verdict" is a new message
    assert sorted(row[0] for row in results[1:]) == sorted(MASKED[short] for short in FULL_NAMES)
    assert ID_NUMBER_MASKED not in "".join(map(str, results))
    full = csv_rows(client.get(f"{base}/results.csv?names=full"))
    assert sorted(row[0] for row in full[1:]) == sorted(FULL_NAMES.values())
    reexams = csv_rows(client.get(f"{base}/reexams.csv"))
    assert reexams[0][:3] == ["人员", "岗位类别", "未通过日期"] and [row[0] for row in reexams[1:]] == ["李*丰"]
    assert [row[0] for row in csv_rows(client.get(f"{base}/reexams.csv?names=full"))[1:]] == ["李三丰"]
    assert csv_rows(client.get(f"{base}/pass-rates.csv"))[1:] == [["2026-01", "4", "2", "50.0%"],
                                                                  ["2026-02", "1", "1", "100.0%"]]
    assert csv_rows(client.get(f"{base}/pass-rates.csv?period=quarter"))[1:] == [["2026-Q1", "5", "3", "60.0%"]]
    inspections = csv_rows(client.get(f"{base}/inspections.csv"))
    assert inspections[0][:2] == ["日期", "检查类型"] and len(inspections) == 3
    findings = csv_rows(client.get(f"{base}/findings.csv"))
    assert findings[0][:3] == ["问题", "人员", "整改情况"]
    assert {row[1] for row in findings[1:]} == {"吴*军", "钱*", "李*丰"}  # the re-exams' findings too
    assert any(row[1] == "吴*军" and row[4] == finding.due_on.isoformat() for row in findings[1:])
    assert {row[1] for row in csv_rows(client.get(f"{base}/findings.csv?names=full"))[1:]} == {"吴小军", "钱二",
                                                                                                "李三丰"}
    topics = csv_rows(client.get(f"{base}/topics.csv"))
    assert [topics[0][index] for index in (0, 2, 3, 4)] == ["知识点", "岗位类别", "作答次数", "得分率"]
    assert topics[1] == ["全部知识点", "", "全部岗位", "60", "70.0%"]  # every answer: 5 papers of 12 items
    book = csv_rows(client.get(f"{base}/wrong-answers.csv"))
    assert book[0][:3] == ["编号", "题型", "题干"] and len(book) > 1

    rows, sheet = workbook_rows(client.get(f"{base}/pass-rates.xlsx"))
    assert rows == [("期间", "受检人数", "合格", "合格率"), ("2026-01", 4, 2, 0.5), ("2026-02", 1, 1, 1.0)]
    assert sheet["A1"].font.bold and sheet["D2"].number_format == "0%"
    rows, _sheet = workbook_rows(client.get(f"{base}/results.xlsx"))
    assert len(rows) == 5 and rows[0][0] == "人员" and "孙*海" in [row[0] for row in rows]
    rows, _sheet = workbook_rows(client.get(f"{base}/results.xlsx?names=full"))
    assert "孙四海" in [row[0] for row in rows]
    assert client.get(f"{base}/nothing.csv").status_code == 404
    assert client.get(f"{base}/results.ods").status_code == 404


def test_the_enterprise_file(app, client, auth, enterprise, scene, finding, make_user):
    installed_cjk_font()
    make_user("enterprise", username="manager", enterprise=enterprise)
    sign_in(client, auth, "manager")
    response = client.get(f"/enterprises/{enterprise.qr_token}/file.pdf")
    assert (response.status_code, response.mimetype) == (200, "application/pdf")
    pdf = response.data
    text = text_of(pdf)
    for expected in ("一企一档", enterprise.name, enterprise.credit_code, "罗庄区工业园8号", "有色",
                     "赵*明", "吴*军", "李*丰", "一线从业人员", "特种作业人员无证上岗", "待整改", "考试不合格",
                     "2026-Q1", "60%", "待补考", "已补考合格",
                     "第1页/共"):
        assert expected in text, expected
    assert not any(name in text for name in [*FULL_NAMES.values(), "吴小军"])
    assert ID_NUMBER_MASKED not in text and PHONE not in text
    assert_fonts_embedded(pdf)
    full = text_of(client.get(f"/enterprises/{enterprise.qr_token}/file.pdf?names=full").data)
    assert all(name in full for name in [*FULL_NAMES.values(), "吴小军"]) and "赵*明" not in full


def test_who_may_download(client, auth, enterprise, scene, finding, other, make_user):  # noqa: F811 - the fixture
    review = f"/enterprises/{enterprise.qr_token}/review/export"
    mine = [f"{review}/results.csv", f"{review}/topics.xlsx", f"/enterprises/{enterprise.qr_token}/file.pdf"]
    for url in [*mine, "/dashboard/export/counties.csv", "/dashboard/items/export/items.csv"]:
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), url

    sign_in(client, auth, "other-manager")
    for url in mine:
        assert client.get(url).status_code == 404, url
    assert client.get(f"/enterprises/{other.qr_token}/review/export/results.csv").status_code == 200
    assert client.get("/dashboard/export/counties.csv").status_code == 403
    assert client.get("/dashboard/items/export/items.csv").status_code == 403

    sign_in(client, auth, "inspector-user")
    for url in mine:
        assert client.get(url).status_code in (200, 302), url  # 302: no Chinese font for the PDF
    assert client.get("/dashboard/items/export/items.xlsx").status_code == 403
    assert client.get("/dashboard/items/export/blueprints.csv").status_code == 403


def test_dashboard_tables_keep_the_page_filters(client, auth, enterprise, scene, make_user):
    sign_in(client, auth, "inspector-user")
    period = "start=2026-01-01&end=2026-02-28"
    counties = csv_rows(client.get(f"/dashboard/export/counties.csv?{period}"))
    assert counties[0][:2] == ["县区", "检查次数"] and counties[1][:4] == ["罗庄区", "2", "4", "5"]
    assert counties[1][4] == "60.0%"
    enterprises = csv_rows(client.get(f"/dashboard/export/enterprises.csv?{period}&county=罗庄区"))
    assert [row[0] for row in enterprises[1:]] == [enterprise.name]
    assert len(csv_rows(client.get(f"/dashboard/export/counties.csv?{period}&industry=chemicals"))) == 1
    assert len(csv_rows(client.get("/dashboard/export/months.csv?start=2026-01-01&end=2026-03-31"))) == 4
    rows, _sheet = workbook_rows(client.get(f"/dashboard/export/roles.xlsx?{period}"))
    assert rows[0][0] == "岗位类别" and any(row[0] == "一线从业人员" and row[3] == 4 for row in rows[1:])
    response = client.get(f"/dashboard/export/industries.xlsx?{period}")
    assert "2026-01-01-2026-02-28" in response.headers["Content-Disposition"]
    assert workbook_rows(response)[0][1][0] == "有色"
    topics = csv_rows(client.get(f"/dashboard/export/topics.csv?{period}"))
    assert topics[0] == ["知识点", "作答次数", "得分率"] and len(topics) > 1

    make_user("admin")
    sign_in(client, auth, "admin-user")
    items = csv_rows(client.get("/dashboard/items/export/items.csv?sort=code"))
    assert items[0][:3] == ["编号", "题型", "题干"] and len(items) > 1
    assert [row[0] for row in items[1:]] == sorted(row[0] for row in items[1:])
    assert len(csv_rows(client.get("/dashboard/items/export/items.csv?flagged=1"))) == 1  # nothing flagged yet
    rows, _sheet = workbook_rows(client.get("/dashboard/items/export/blueprints.xlsx"))
    assert rows[0] == ("组卷方案", "题目", "答卷数", "克隆巴赫 α 系数") and len(rows) > 1


def test_the_pages_link_to_their_downloads(client, auth, enterprise, scene, make_user):
    make_user("admin")
    sign_in(client, auth, "admin-user")
    review = client.get(f"/enterprises/{enterprise.qr_token}/review?period=quarter").get_data(as_text=True)
    for table in ("reexams", "findings", "results", "inspections", "topics", "wrong-answers"):
        assert f"/enterprises/{enterprise.qr_token}/review/export/{table}.csv" in review, table
    assert "/review/export/pass-rates.xlsx?period=quarter" in review
    assert f"/enterprises/{enterprise.qr_token}/file.pdf" in review
    dashboard = client.get("/dashboard/?start=2026-01-01&end=2026-02-28&county=罗庄区").get_data(as_text=True)
    for table in ("months", "enterprises", "industries", "roles", "topics"):
        assert f"/dashboard/export/{table}.xlsx?" in dashboard, table
    assert "start=2026-01-01" in dashboard.split("/dashboard/export/roles.csv")[1].split('"')[0]
    items = client.get("/dashboard/items?sort=facility&flagged=1").get_data(as_text=True)
    assert "/dashboard/items/export/items.csv?sort=facility&amp;flagged=1" in items
    assert "/dashboard/items/export/blueprints.xlsx" in items
