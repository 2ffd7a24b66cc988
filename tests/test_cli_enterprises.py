"""quizapp enterprises import / workers import: file:row problems and exit 1, or a one-line summary."""

from __future__ import annotations

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from quizapp.models import Enterprise, Worker
from tests.conftest import VALID_CREDIT_CODE, table_counts

OTHER_CODE = "91371300MA3C8H1X3T"


@pytest.fixture
def quizapp(quizapp, imported_bank, tmp_path, monkeypatch):
    """The command, run from a scratch folder, with the bank imported."""
    monkeypatch.chdir(tmp_path)
    return quizapp


def workbook(name: str, rows: list[list]) -> str:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(name)
    return name


ENTERPRISES = [["统一社会信用代码", "企业名称", "行业"],
               [VALID_CREDIT_CODE, "临沂某铝业有限公司", "有色"],
               [OTHER_CODE, "临沂某冷链物流有限公司", "涉氨制冷"]]


def test_enterprises_import_prints_a_summary_and_is_idempotent(quizapp, db):
    path = workbook("e.xlsx", ENTERPRISES)
    result = quizapp("enterprises", "import", path)
    assert result.exit_code == 0, result.output
    assert result.output == "Imported e.xlsx: created 2, updated 0, unchanged 0.\n"
    assert quizapp("enterprises", "import", path).output == "Imported e.xlsx: created 0, updated 0, unchanged 2.\n"
    assert len(db.session.scalars(select(Enterprise)).all()) == 2


def test_enterprises_import_prints_every_problem_and_exits_1(quizapp, db):
    before = table_counts(db)
    path = workbook("e.xlsx", [*ENTERPRISES, [OTHER_CODE, "重复", "化工"]])
    result = quizapp("enterprises", "import", path)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "e.xlsx:4: 统一社会信用代码 91371300MA3C8H1X3T is already on row 3",
        "e.xlsx:4: 行业: '化工' is neither a code nor a name in the taxonomy",
        "2 problem(s) found; nothing was imported.",
    ]
    assert table_counts(db) == before


ROSTER = [["姓名", "岗位角色", "岗位"], ["李焊工", "特种作业人员", "电焊"], ["王帮工", "一线从业人员", "辅助工"]]


def test_workers_import_into_the_roster_of_an_enterprise(quizapp, db, enterprise):
    result = quizapp("workers", "import", "--enterprise", VALID_CREDIT_CODE.lower(), workbook("r.xlsx", ROSTER))
    assert result.exit_code == 0, result.output
    assert result.output == ("Imported r.xlsx into the roster of 临沂某铝业有限公司: "
                             "created 2, updated 0, unchanged 0.\n")
    assert sorted(db.session.scalars(select(Worker.name))) == ["李焊工", "王帮工"]


def test_workers_import_refuses_bad_rows_and_unknown_enterprises(quizapp, db, enterprise):
    path = workbook("r.xlsx", [*ROSTER, ["张三", "", "电工"]])
    result = quizapp("workers", "import", "--enterprise", VALID_CREDIT_CODE, path)
    assert (result.exit_code, result.output.splitlines()[0]) == (1, "r.xlsx:4: 岗位角色 must not be empty")
    assert db.session.scalar(select(Worker)) is None
    result = quizapp("workers", "import", "--enterprise", OTHER_CODE, workbook("r.xlsx", ROSTER))
    assert result.exit_code == 1 and f"no enterprise with credit code '{OTHER_CODE}'" in result.output
