"""Enterprises and rosters from xlsx: every bad cell named by file:row and column, and nothing written then."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from quizapp.bank.taxonomy import import_taxonomy, read_taxonomy
from quizapp.exam.enterprise_import import (
    ENTERPRISES,
    ROSTER,
    SheetError,
    import_enterprises,
    import_roster,
    write_template,
)
from quizapp.exam.roster import add_worker, hash_id_number
from quizapp.models import Enterprise, Worker
from tests.bank.test_xlsx import write_sheet
from tests.conftest import BANK, VALID_CREDIT_CODE, table_counts

KEY = b"test-key"
OTHER_CODE = "91371300MA3C8H1X3T"
THIRD_CODE = "91371311MA3D00001Q"
ID = "371302199001011233"
OTHER_ID = "37130219851212004X"
ENTERPRISE_HEADERS = ["统一社会信用代码", "企业名称", "县区", "地址", "行业", "联系人", "联系电话"]
ROSTER_HEADERS = ["姓名", "岗位角色", "岗位", "身份证号", "特种作业类别", "证书编号", "发证日期", "复审日期"]


@pytest.fixture
def taxonomy(db):
    spec, problems = read_taxonomy(BANK / "taxonomy.yaml", "taxonomy.yaml")
    assert problems == []
    import_taxonomy(db.session, spec)
    db.session.commit()


def workbook(path: Path, rows: list[list], sheet: str = "Sheet1") -> Path:
    return write_sheet(path, rows, sheet)


def enterprises_file(tmp_path: Path, *rows: list, headers: list[str] = ENTERPRISE_HEADERS) -> Path:
    return workbook(tmp_path / "enterprises.xlsx", [headers, *rows])


def roster_file(tmp_path: Path, *rows: list, headers: list[str] = ROSTER_HEADERS) -> Path:
    return workbook(tmp_path / "roster.xlsx", [headers, *rows])


ALUMINIUM = [VALID_CREDIT_CODE, "临沂某铝业有限公司", "罗庄区", "罗庄区某路1号", "有色、combustible-dust", "王经理",
             5391234567]
COLD_STORE = [OTHER_CODE.lower(), "临沂某冷链物流有限公司", "兰山区", "", "涉氨制冷，商贸", "", ""]


def test_a_valid_file_creates_enterprises_and_importing_it_again_changes_nothing(db, taxonomy, tmp_path):
    path = enterprises_file(tmp_path, ALUMINIUM, [], COLD_STORE)
    counts = import_enterprises(db.session, path, "enterprises.xlsx")
    db.session.commit()
    assert (counts.created, counts.updated, counts.unchanged) == (2, 0, 0)
    aluminium, cold_store = db.session.scalars(select(Enterprise).order_by(Enterprise.credit_code)).all()
    assert (aluminium.credit_code, aluminium.industry_codes, aluminium.contact_phone) == (
        VALID_CREDIT_CODE, ["nonferrous", "combustible-dust"], "5391234567")
    assert (cold_store.credit_code, cold_store.industry_codes) == (OTHER_CODE, ["ammonia-refrigeration", "commerce"])
    assert len(aluminium.qr_token) >= 20 and aluminium.qr_token != cold_store.qr_token
    before = table_counts(db)
    assert str(import_enterprises(db.session, path, "enterprises.xlsx")) == "created 0, updated 0, unchanged 2"
    db.session.commit()
    assert table_counts(db) == before


def test_a_known_credit_code_updates_that_enterprise_and_missing_columns_stay(db, taxonomy, tmp_path, enterprise):
    enterprise.address = "罗庄区某路1号"
    token = enterprise.qr_token
    db.session.commit()
    path = enterprises_file(tmp_path, [VALID_CREDIT_CODE, "临沂某铝业股份有限公司", "nonferrous"],
                            headers=["credit_code", "Name", "INDUSTRIES"])
    counts = import_enterprises(db.session, path, "enterprises.xlsx")
    db.session.commit()
    assert (counts.created, counts.updated) == (0, 1)
    [stored] = db.session.scalars(select(Enterprise)).all()
    assert (stored.name, stored.industry_codes, stored.address, stored.county, stored.qr_token) == (
        "临沂某铝业股份有限公司", ["nonferrous"], "罗庄区某路1号", "罗庄区", token)


@pytest.mark.parametrize(("row", "message"), [
    ([VALID_CREDIT_CODE[:-1] + "J", "某公司"], "统一社会信用代码: check digit is J, expected P"),
    ([VALID_CREDIT_CODE, ""], "企业名称 must not be empty"),
    ([VALID_CREDIT_CODE, "某公司", "x" * 101], "县区 has 101 characters; at most 100 fit"),
    ([VALID_CREDIT_CODE, "某公司", "", "", "有色、化工"], "行业: '化工' is neither a code nor a name in the taxonomy"),
    ([OTHER_CODE, "另一家"], "统一社会信用代码 91371300MA3C8H1X3T is already on row 2"),
])
def test_each_bad_cell_is_reported_with_its_row_and_nothing_is_written(db, taxonomy, tmp_path, row, message):
    path = enterprises_file(tmp_path, [OTHER_CODE, "临沂某冷链物流有限公司"], row)
    before = table_counts(db)
    with pytest.raises(SheetError) as error:
        import_enterprises(db.session, path, "enterprises.xlsx")
    assert [str(problem) for problem in error.value.problems] == [f"enterprises.xlsx:3: {message}"]
    db.session.commit()
    assert table_counts(db) == before


def test_every_problem_of_a_file_is_reported_at_once(db, taxonomy, tmp_path):
    path = enterprises_file(tmp_path, ["", "无代码公司"], [THIRD_CODE, "", "", "", "冶金 化工"],
                            headers=[*ENTERPRISE_HEADERS, "备注"])
    with pytest.raises(SheetError) as error:
        import_enterprises(db.session, path, "e.xlsx")
    assert [str(problem) for problem in error.value.problems] == [
        "e.xlsx:1: unknown column '备注' (column H); expected " + ", ".join(ENTERPRISE_HEADERS),
        "e.xlsx:2: 统一社会信用代码 must not be empty",
        "e.xlsx:3: 企业名称 must not be empty",
        "e.xlsx:3: 行业: '化工' is neither a code nor a name in the taxonomy",
    ]


@pytest.mark.parametrize(("headers", "expected"), [
    (["企业名称", "县区"], ["e.xlsx:1: missing column 统一社会信用代码"]),
    (["统一社会信用代码", "企业名称", "Credit Code"],
     ["e.xlsx:1: column 统一社会信用代码 appears twice (columns A and C)"]),
])
def test_header_problems(db, taxonomy, tmp_path, headers, expected):
    path = enterprises_file(tmp_path, [VALID_CREDIT_CODE, "某公司"], headers=headers)
    with pytest.raises(SheetError) as error:
        import_enterprises(db.session, path, "e.xlsx")
    assert [str(problem) for problem in error.value.problems] == expected


def test_a_file_that_is_no_workbook(db, taxonomy, tmp_path):
    path = tmp_path / "e.xlsx"
    path.write_text("统一社会信用代码,企业名称\n", encoding="utf-8")
    with pytest.raises(SheetError) as error:
        import_enterprises(db.session, path, "e.xlsx")
    assert [str(problem) for problem in error.value.problems] == [
        "e.xlsx:0: not an Excel .xlsx workbook: File is not a zip file"]


WELDER = ["李焊工", "特种作业人员", "电焊", ID.lower(), "焊接与热切割作业", "T1", "2023-05-01", ""]
WELDER_ELECTRICIAN = ["李焊工", "special-operator", "电焊", ID, "electrical", "T2", datetime(2024, 3, 1), "2027/2/1"]
HELPER = ["王帮工", "一线从业人员", "辅助工", "", "", "", "", ""]


def test_a_roster_file_creates_people_with_their_certificates_and_again_changes_nothing(db, taxonomy, tmp_path,
                                                                                        enterprise):
    path = roster_file(tmp_path, WELDER, HELPER, WELDER_ELECTRICIAN)
    counts = import_roster(db.session, enterprise, path, "roster.xlsx", hash_key=KEY)
    db.session.commit()
    assert str(counts) == "created 2, updated 0, unchanged 0"
    welder, helper = db.session.scalars(select(Worker).order_by(Worker.id)).all()
    assert (welder.role_code, welder.post) == ("special-operator", "电焊")
    assert welder.id_number_masked == "3713**********1233"
    assert welder.id_number_hash == hash_id_number(KEY, ID)
    assert [(c.category_code, c.number, c.issued_on, c.last_reviewed_on) for c in welder.certificates] == [
        ("welding-cutting", "T1", date(2023, 5, 1), None), ("electrical", "T2", date(2024, 3, 1), date(2027, 2, 1))]
    assert (helper.role_code, helper.id_number_hash, helper.certificates) == ("worker", None, [])
    before = table_counts(db)
    assert str(import_roster(db.session, enterprise, path, "roster.xlsx", hash_key=KEY)) == (
        "created 0, updated 0, unchanged 2")
    db.session.commit()
    assert table_counts(db) == before


def test_people_on_the_roster_are_found_by_id_number_else_by_name_and_post(db, taxonomy, tmp_path, enterprise):
    renamed = add_worker(db.session, enterprise, name="李四", role_code="worker", post="电焊", id_number=ID,
                         hash_key=KEY)
    unnumbered = add_worker(db.session, enterprise, name="王帮工", role_code="worker", post="辅助工", hash_key=KEY)
    gets_a_number = add_worker(db.session, enterprise, name="赵班长", role_code="worker", post="班长", hash_key=KEY)
    db.session.commit()
    path = roster_file(tmp_path, WELDER, HELPER[:3] + ["", "electrical", "T9", "2024-01-02", ""],
                       ["赵班长", "班组长", "班长", OTHER_ID, "", "", "", ""])
    counts = import_roster(db.session, enterprise, path, "roster.xlsx", hash_key=KEY)
    db.session.commit()
    assert str(counts) == "created 0, updated 3, unchanged 0"
    assert (renamed.name, renamed.role_code, renamed.certificates[0].number) == ("李焊工", "special-operator", "T1")
    assert [certificate.number for certificate in unnumbered.certificates] == ["T9"]
    assert (gets_a_number.role_code, gets_a_number.id_number_masked) == ("team-leader", "3713**********004X")
    assert len(enterprise.workers) == 3


def test_a_row_without_a_number_joins_the_person_of_its_name_and_post(db, taxonomy, tmp_path, enterprise):
    path = roster_file(tmp_path, WELDER, ["李焊工", "特种作业人员", "电焊", "", "electrical", "T2", "2024-03-01", ""])
    import_roster(db.session, enterprise, path, "roster.xlsx", hash_key=KEY)
    [welder] = db.session.scalars(select(Worker)).all()
    assert [certificate.number for certificate in welder.certificates] == ["T1", "T2"]


def test_people_of_the_same_name_and_post_need_their_numbers(db, taxonomy, tmp_path, enterprise):
    for _ in range(2):
        add_worker(db.session, enterprise, name="王帮工", role_code="worker", post="辅助工", hash_key=KEY)
    db.session.commit()
    with pytest.raises(SheetError) as error:
        import_roster(db.session, enterprise, roster_file(tmp_path, HELPER), "r.xlsx", hash_key=KEY)
    assert [str(problem) for problem in error.value.problems] == [
        "r.xlsx:2: 身份证号: 2 people named 王帮工 with this post are in the file or on the roster; "
        "give the ID-card number to tell them apart"]


@pytest.mark.parametrize(("row", "messages"), [
    (["张三", "操作工"], ["岗位角色: '操作工' is neither a code nor a name in the taxonomy"]),
    (["张三", "worker", "", "110105194912310021"], ["身份证号: the check character is 1, expected X"]),
    (["张三", "worker", "", "", "焊工", "T3", "2023-05-01"],
     ["特种作业类别: '焊工' is neither a code nor a name in the taxonomy"]),
    (["张三", "worker", "", "", "electrical", "T3", "2023-02-30"],
     ["发证日期: '2023-02-30' is not a date; write it as 2023-05-01"]),
    (["张三", "worker", "", "", "electrical", "", "去年"],
     ["发证日期: '去年' is not a date; write it as 2023-05-01",
      "证书编号 must not be empty: the row has a certificate"]),
    (["张三", "worker", "", "", "electrical", "T3", "2023-05-01", "2022-01-01"],
     ["复审日期: 2022-01-01 is before the issue date 2023-05-01"]),
    (["李焊工", "班组长", "电焊", ID],
     ["岗位角色: team-leader differs from row 2; both rows are about the same person"]),
    (["李焊工", "特种作业人员", "电焊", ID, "焊接与热切割作业", "T1", "2023-06-01"],
     ["发证日期: 2023-06-01 differs from row 2; both rows are about the same person"]),
])
def test_each_bad_roster_cell_is_reported_and_nothing_is_written(db, taxonomy, tmp_path, enterprise, row, messages):
    path = roster_file(tmp_path, WELDER, row + [""] * (len(ROSTER_HEADERS) - len(row)))
    before = table_counts(db)
    with pytest.raises(SheetError) as error:
        import_roster(db.session, enterprise, path, "r.xlsx", hash_key=KEY)
    assert [str(problem) for problem in error.value.problems] == [f"r.xlsx:3: {message}" for message in messages]
    db.session.commit()
    assert table_counts(db) == before


def test_the_templates_import_as_they_are(db, taxonomy, tmp_path, enterprise):
    write_template(ENTERPRISES, tmp_path / "enterprises.xlsx")
    write_template(ROSTER, tmp_path / "roster.xlsx")
    assert import_enterprises(db.session, tmp_path / "enterprises.xlsx", "enterprises.xlsx").created == 1
    assert import_roster(db.session, enterprise, tmp_path / "roster.xlsx", "roster.xlsx", hash_key=KEY).created == 1
