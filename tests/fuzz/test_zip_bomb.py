"""An .xlsx whose sheet inflates to hundreds of MB is refused before it is inflated, by every workbook reader."""

from __future__ import annotations

import re
import time
import tracemalloc
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import Workbook

from quizapp.bank import xlsx
from quizapp.bank.ziplimits import MAX_UNCOMPRESSED_BYTES, xlsx_size_problem
from quizapp.exam.enterprise_import import SheetError, import_enterprises, import_roster
from tests.conftest import table_counts

SHEET = "xl/worksheets/sheet1.xml"
ROW = b'<row><c t="inlineStr"><is><t>' + "隐患排查".encode() * 8 + b"</t></is></c></row>"
CHUNK = ROW * 16_384  # about 2 MB
REFUSAL = re.compile(r"(\S+\.xlsx:0: )?the workbook would unpack to 30\d MB; at most 100 MB are allowed")


def bomb(inflated_mb: int = 300) -> bytes:
    """A real workbook whose sheet XML is ``inflated_mb`` MB of repeated cells, deflated to a few hundred KB."""
    book = BytesIO()
    Workbook().save(book)
    target = BytesIO()
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for member in source.infolist():
            if member.filename != SHEET:
                out.writestr(member, source.read(member))
        with out.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            for _ in range(-(-inflated_mb * 1024 * 1024 // len(CHUNK))):  # rounded up
                sheet.write(CHUNK)
            sheet.write(b"</sheetData></worksheet>")
    return target.getvalue()


@pytest.fixture(scope="module")
def bomb_bytes() -> bytes:
    return bomb()


def refused_quickly(read) -> tuple[object, float, int]:
    """Run ``read``; return its result, the seconds and the peak bytes Python allocated meanwhile."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = read()
    finally:
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return result, elapsed, peak


def test_the_bomb_is_what_it_claims(bomb_bytes):
    with zipfile.ZipFile(BytesIO(bomb_bytes)) as archive:
        sheet = archive.getinfo(SHEET)
    assert len(bomb_bytes) < 2 * 1024 * 1024
    assert sheet.file_size > 250 * 1024 * 1024 > MAX_UNCOMPRESSED_BYTES


def test_the_bank_reader_refuses_it_before_inflating(bomb_bytes, tmp_path):
    path = tmp_path / "题库.xlsx"
    path.write_bytes(bomb_bytes)
    (raws, problems), elapsed, peak = refused_quickly(lambda: xlsx.read(path, "题库.xlsx"))
    assert raws == []
    assert len(problems) == 1 and REFUSAL.fullmatch(str(problems[0])), problems
    assert elapsed < 1 and peak < 5 * 1024 * 1024


@pytest.mark.parametrize("kind", ["enterprises", "roster"])
def test_the_enterprise_and_roster_imports_refuse_it_before_inflating(db, imported_bank, enterprise, bomb_bytes,
                                                                      kind):
    before = table_counts(db)
    stream = BytesIO(bomb_bytes)

    def read():
        with pytest.raises(SheetError) as refused:
            if kind == "enterprises":
                import_enterprises(db.session, stream, "企业.xlsx")
            else:
                import_roster(db.session, enterprise, stream, "人员.xlsx", hash_key=b"k")
        return refused.value

    error, elapsed, peak = refused_quickly(read)
    assert [problem.line for problem in error.problems] == [0]
    assert REFUSAL.fullmatch(str(error.problems[0])), error.problems
    assert elapsed < 1 and peak < 5 * 1024 * 1024
    assert table_counts(db) == before


def test_the_upload_pages_show_the_refusal(auth, client, imported_bank, enterprise, bomb_bytes):
    auth.login_as("admin")
    client.get("/lang/en")
    for url, name in (("/bank/upload", "题库.xlsx"), ("/enterprises/import", "企业.xlsx"),
                      (f"/enterprises/{enterprise.qr_token}/workers/import", "人员.xlsx")):
        response = client.post(url, data={"file": (BytesIO(bomb_bytes), name)}, content_type="multipart/form-data")
        assert response.status_code == 200, url
        assert REFUSAL.search(response.get_data(as_text=True)), url


def test_ratio_and_member_limits(tmp_path):
    """A member compressed far beyond any real sheet is refused even when small in total; so are many members."""
    dense = tmp_path / "dense.xlsx"
    with zipfile.ZipFile(dense, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(SHEET, b"<row/>" * 1_000_000)  # 6 MB of one tag: over 100 to 1
    assert "compressed more than 100 to 1" in xlsx_size_problem(dense)
    many = tmp_path / "many.xlsx"
    with zipfile.ZipFile(many, "w") as archive:
        for number in range(1001):
            archive.writestr(f"xl/media/{number}.txt", b"")
    assert "holds 1001 files; at most 1000" in xlsx_size_problem(many)
    assert xlsx_size_problem(tmp_path / "missing.xlsx") is None
    assert xlsx_size_problem(Path(__file__)) is None  # not a zip: the reader says so in its own words


def test_a_real_workbook_passes_and_a_stream_is_left_where_it_was(imported_bank, tmp_path):
    path = tmp_path / "bank.xlsx"
    xlsx.write(imported_bank.questions, imported_bank.taxonomy, path)
    assert xlsx_size_problem(path) is None
    stream = BytesIO(path.read_bytes())
    stream.seek(7)
    assert xlsx_size_problem(stream) is None and stream.tell() == 7
