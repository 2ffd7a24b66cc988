"""Random enterprise and roster workbooks: problems as ``file.xlsx:row: column: message``, nothing written.

Through the domain functions and the upload pages (never a 500; a refused workbook changes no table).
"""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.exam.enterprise_import import ENTERPRISES, ROSTER, SheetError, import_enterprises, import_roster
from tests.conftest import VALID_CREDIT_CODE, table_counts
from tests.fuzz.strategies import cell_value, fuzz_settings, random_bytes, workbook_bytes

HASH_KEY = b"fuzz"
PLAUSIBLE = {
    ENTERPRISES: (VALID_CREDIT_CODE, "91371300MA3C8H1X3T", "91371300MA3C8H1X2Q", "某公司", "罗庄区", "有色、粉尘涉爆",
                  "nonferrous", "化工", "0539-1234567", "x" * 301),
    ROSTER: ("李焊工", "特种作业人员", "worker", "电焊", "焊接与热切割作业", "11010519491231002X", "110105194912310021",
             "T1", "2023-05-01", "2023-02-30", "2024年1月2日", "2020-01-01", "y" * 101),
}




@st.composite
def sheet_workbooks(draw, kind) -> bytes:
    """Workbooks with the kind's headers (in Chinese or English) and plausible or random cells."""
    cell = st.one_of(st.sampled_from(PLAUSIBLE[kind]), cell_value())
    rows = st.lists(st.lists(cell, max_size=len(kind.columns) + 2), max_size=8)
    headers = draw(st.sampled_from(([column.header for column in kind.columns],
                                    [column.english for column in kind.columns])))
    return draw(st.one_of(workbook_bytes(headers, [kind.sheet], rows=rows), random_bytes()))


def assert_problems_name_row_and_column(error: SheetError, display: str, kind) -> None:
    """Row 0 is the file, row 1 the headers; a problem on a later row starts with the column it concerns."""
    columns = tuple(column.header for column in kind.columns)
    for problem in error.problems:
        assert re.fullmatch(rf"{re.escape(display)}:\d+: \S.*", str(problem), re.S), problem
        assert "/tmp" not in problem.message, problem
        if problem.line >= 2:
            assert problem.message.startswith(columns), problem


@pytest.fixture
def admin_client(unlimited, auth, imported_bank, enterprise, client):
    auth.login_as("admin")
    return client


def check_import(db, client, url: str, content: bytes, display: str, kind, importer) -> None:
    before = table_counts(db)
    try:
        importer(BytesIO(content), display)
    except SheetError as error:
        assert_problems_name_row_and_column(error, display, kind)
    finally:
        db.session.rollback()
    assert table_counts(db) == before
    response = client.post(url, data={"file": (BytesIO(content), display)}, content_type="multipart/form-data")
    assert response.status_code in (200, 302), response.get_data(as_text=True)[-2000:]
    if response.status_code == 200:
        assert table_counts(db) == before


@fuzz_settings
@given(data=st.data())
def test_random_enterprise_workbooks(db, admin_client, data):
    check_import(db, admin_client, "/enterprises/import", data.draw(sheet_workbooks(ENTERPRISES)), "企业.xlsx",
                 ENTERPRISES, lambda stream, name: import_enterprises(db.session, stream, name))


@fuzz_settings
@given(data=st.data())
def test_random_roster_workbooks(db, admin_client, enterprise, data):
    check_import(db, admin_client, f"/enterprises/{enterprise.qr_token}/workers/import",
                 data.draw(sheet_workbooks(ROSTER)), "人员.xlsx", ROSTER,
                 lambda stream, name: import_roster(db.session, enterprise, stream, name, hash_key=HASH_KEY))
