"""Broken question files (YAML, xlsx, GIFT) through every way in: the loader, the upload page and the CLI.

Whatever the file holds, the answer is a list of problems, each naming the file and a line; the upload
page never answers 500; and a file with problems changes no table.
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.bank import gift, xlsx
from quizapp.bank.formats import load_upload
from quizapp.bank.taxonomy import TaxonomyIndex
from quizapp.bank.xlsx import HEADERS, SHEET
from quizapp.cli import main
from tests.conftest import BANK, table_counts
from tests.fuzz.strategies import (
    assert_problems_say_where_and_what,
    cell_value,
    fuzz_settings,
    mutated_text,
    odd_text,
    random_bytes,
    workbook_bytes,
)

QUESTION_FILES = sorted((BANK / "questions").glob("*.yaml"))
PROBLEM_LINE = re.compile(r"^[^:\n]+:\d+: \S")


@pytest.fixture
def admin_client(unlimited, auth, imported_bank, client):
    auth.login_as("admin")
    return client


@pytest.fixture
def bank_rows(imported_bank) -> list[list]:
    """The bundled bank's questions as the xlsx writer writes them, for workbooks that get past the headers."""
    index = TaxonomyIndex.from_spec(imported_bank.taxonomy)
    tag_names = {kind: xlsx._tag_names(kind, imported_bank.taxonomy, index) for kind in ("roles", "industries",
                                                                                           "topics")}
    source_names = xlsx._source_names(imported_bank.taxonomy, index)
    return [xlsx._row_values(spec, tag_names, source_names) for spec in imported_bank.questions[:40]]


@pytest.fixture
def gift_text(imported_bank, tmp_path) -> str:
    target = tmp_path / "bank.gift"
    gift.write(imported_bank.questions[:30], imported_bank.taxonomy, target)
    return target.read_text(encoding="utf-8")


def check_file(db, client, name: str, content: bytes) -> None:
    """The loader reports problems (never raises), and the upload page shows them and writes nothing."""
    bank = load_upload(db.session, name, lambda path: Path(path).write_bytes(content))
    db.session.rollback()
    shown = Path(name).name
    assert_problems_say_where_and_what(bank.problems, shown)
    before = table_counts(db)
    response = client.post("/bank/upload", data={"file": (BytesIO(content), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    if not bank.ok:
        assert table_counts(db) == before


@fuzz_settings
@given(data=st.data())
def test_mutated_yaml_files(db, admin_client, data):
    original = data.draw(st.sampled_from(QUESTION_FILES))
    content = data.draw(mutated_text(original.read_text(encoding="utf-8")))
    check_file(db, admin_client, original.name, content)


@fuzz_settings
@given(content=random_bytes(), suffix=st.sampled_from((".yaml", ".yml", ".xlsx", ".gift")))
def test_random_bytes_in_every_format(db, admin_client, content, suffix):
    check_file(db, admin_client, "random" + suffix, content)


@st.composite
def bank_workbooks(draw, real_rows: list[list]) -> bytes:
    """Workbooks with the bank's headers and real rows with some cells replaced, or with random rows."""
    def damaged(row: list) -> list:
        row = list(row)
        for _ in range(draw(st.integers(0, 4))):
            row[draw(st.integers(0, len(row) - 1))] = draw(cell_value())
        return row

    real = st.lists(st.sampled_from(real_rows).map(damaged), max_size=6)
    return draw(workbook_bytes(list(HEADERS), [SHEET], rows=st.one_of(real, st.none().map(lambda _: []))
                               if draw(st.booleans()) else None))


@fuzz_settings
@given(data=st.data())
def test_random_workbooks(db, admin_client, bank_rows, data):
    check_file(db, admin_client, "题库.xlsx", data.draw(bank_workbooks(bank_rows)))


GIFT_PIECES = ("::", "::T1::", "{", "}", "=", "~", "%50%", "%-100%", "####", "#", "\\", "\\n", "//", "// [id:X1]",
               "// [type:single]", "// [type:fill]", "// [tag:role:worker]", "// [tag:difficulty:9]",
               "// [basis:work-safety-law 28]", "// [keypoint:x:y]", "// [step:odd:y]", "// [blank:2:a|b]",
               "$CATEGORY: a", "TRUE", "FALSE", "T", "___", "\n", "\n\n", " ", "题", "[", "]", "|", ":")


@fuzz_settings
@given(data=st.data())
def test_random_and_mutated_gift(db, admin_client, gift_text, data):
    content = data.draw(st.one_of(
        st.lists(st.one_of(st.sampled_from(GIFT_PIECES), odd_text(10)), max_size=40).map(lambda p: "".join(p).encode()),
        mutated_text(gift_text),
    ))
    check_file(db, admin_client, "bank.gift", content)


@pytest.mark.usefixtures("imported_bank")
@fuzz_settings
@given(data=st.data())
def test_cli_validate_and_import_print_file_and_line(db, runner, tmp_path_factory, data):
    original = data.draw(st.sampled_from(QUESTION_FILES))
    content = data.draw(mutated_text(original.read_text(encoding="utf-8")))
    # A folder without taxonomy.yaml: the file is checked against the taxonomy in the database.
    path = tmp_path_factory.mktemp("cli") / original.name
    path.write_bytes(content)
    for command in ("validate", "import"):
        before = table_counts(db)
        result = runner.invoke(main, ["bank", command, str(path)])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        if result.exit_code:
            problems = result.output.strip().splitlines()[:-1]
            assert problems and all(PROBLEM_LINE.match(line) for line in problems), result.output
            assert table_counts(db) == before
