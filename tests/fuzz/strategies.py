"""Hypothesis settings and strategies shared by the fuzz tests: broken text, files, workbooks and JSON.

``FUZZ_EXAMPLES`` (default 50) is the number of examples per test; raise it for a longer hunt. The
examples share one database per test (the fixtures are set up once), which is the point: a refused
input must leave it exactly as it was, so the next example starts from the same state.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from io import BytesIO
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from quizapp.bank.problems import Problem

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))
fuzz_settings = settings(max_examples=EXAMPLES, deadline=None, database=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                HealthCheck.data_too_large, HealthCheck.large_base_example])

ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "gb18030", "latin-1")
ODD_TEXT = ("", " ", "\x00", "\ufeff", "\u202e", "😀", "𠀀", "\r\n", "\t", "'", '"', "\\", "{", "}", "[", "]",
            ":", "- ", "&", "*a", "!!python/object:os.system", "%", "#", "~", "=", "::", "////", "<", "》", "《")
HUGE_NUMBERS = (10**30, -(10**30), 2**63, -(2**63) - 1, 1e308, -1e308, float("inf"), float("-inf"), float("nan"))


def odd_text(max_size: int = 40) -> st.SearchStrategy[str]:
    """Any unicode, or the characters that break parsers, or a long string."""
    return st.one_of(
        st.text(max_size=max_size),
        st.sampled_from(ODD_TEXT),
        st.lists(st.sampled_from(ODD_TEXT), max_size=8).map("".join),
        st.integers(1, 5000).map(lambda n: "长" * n),
    )


def scalar() -> st.SearchStrategy[Any]:
    """A value of any type that a cell or a YAML scalar may hold."""
    return st.one_of(st.none(), st.booleans(), st.integers(), st.sampled_from(HUGE_NUMBERS),
                     st.floats(allow_nan=True, allow_infinity=True), odd_text(),
                     st.dates(), st.datetimes())


# --- text files ----------------------------------------------------------------------------------


@st.composite
def mutated_text(draw, original: str) -> bytes:
    """A real file with lines deleted, doubled, swapped, re-indented or with scalars replaced, then
    perhaps encoded wrongly, given a BOM or a NUL byte."""
    lines = original.split("\n")
    for _ in range(draw(st.integers(1, 6))):
        if not lines:
            break
        where = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(("delete", "duplicate", "swap", "indent", "dedent", "scalar", "insert",
                                       "truncate")))
        line = lines[where]
        if action == "delete":
            del lines[where]
        elif action == "duplicate":
            lines.insert(where, line)
        elif action == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[where], lines[other] = lines[other], line
        elif action == "indent":
            lines[where] = " " * draw(st.integers(1, 5)) + line
        elif action == "dedent":
            lines[where] = line.lstrip()
        elif action == "scalar":
            key, separator, _ = line.partition(":")
            value = draw(st.one_of(st.sampled_from(HUGE_NUMBERS).map(repr), odd_text(),
                                   st.sampled_from(("[]", "{}", "null", "true", "[1, [2, {a: b}]]", "&x 1", "*x",
                                                    "!!binary AAAA", "0x1F", "1e999", ".nan", "~"))))
            lines[where] = f"{key}{separator or ':'} {value}"
        elif action == "insert":
            lines.insert(where, draw(odd_text()))
        else:
            lines = lines[:where]
    text = "\n".join(lines)
    encoding = draw(st.sampled_from(ENCODINGS))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):
        position = draw(st.integers(0, len(data)))
        data = data[:position] + draw(st.sampled_from((b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", b"\x80"))) + \
            data[position:]
    return data


def random_bytes() -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=2000), st.text(max_size=500).map(str.encode))


# --- workbooks -----------------------------------------------------------------------------------


def _writable(value: Any) -> Any:
    """A value openpyxl can write: no control characters in text (a real workbook cannot hold them either)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def cell_value() -> st.SearchStrategy[Any]:
    """What a spreadsheet cell may hold: text, numbers, dates, booleans, formulas, error codes."""
    return st.one_of(
        scalar().filter(lambda value: not (isinstance(value, float) and value != value)).map(_writable),
        st.sampled_from(("=1/0", "=SUM(A1:A3)", "#N/A", "=A1", "=HYPERLINK(\"http://x\")", "TRUE")),
        st.dates(min_value=date(1900, 3, 1)).map(lambda day: datetime(day.year, day.month, day.day)),
    )


@st.composite
def workbook_bytes(draw, headers: list[str], sheet_names: list[str], rows: st.SearchStrategy | None = None) -> bytes:
    """A workbook built with openpyxl: a known or wrong sheet name, known, unknown or doubled headers in
    any order, random cells, merged cells, sometimes extra sheets."""
    book = Workbook()
    sheet = book.active
    sheet.title = draw(st.sampled_from([*sheet_names, "Sheet1", "数据", "x" * 31]))
    header_row = draw(st.one_of(
        st.permutations(headers),
        st.lists(st.one_of(st.sampled_from(headers), cell_value()), max_size=len(headers) + 3),
        st.tuples(st.permutations(headers), cell_value()).map(lambda pair: [*pair[0], pair[1]]),
    ))
    width = max(len(header_row), 1)
    body = draw(rows if rows is not None else st.lists(st.lists(cell_value(), max_size=width + 2), max_size=8))
    for row in [header_row, *body]:
        sheet.append([_writable(value) for value in row])
    if draw(st.booleans()):  # before merging: openpyxl cannot write into a merged cell
        sheet.cell(row=draw(st.integers(1, 200)), column=draw(st.integers(1, 60)), value=draw(cell_value()))
    if draw(st.booleans()) and sheet.max_row > 1:
        top = draw(st.integers(1, sheet.max_row))
        sheet.merge_cells(start_row=top, start_column=1, end_row=min(top + 1, sheet.max_row),
                          end_column=draw(st.integers(1, 3)))
    for _ in range(draw(st.integers(0, 2))):
        book.create_sheet(draw(st.sampled_from(["其他", *sheet_names, "Sheet9"])))
    stream = BytesIO()
    try:
        book.save(stream)
    except (ValueError, TypeError):  # a title or value openpyxl refuses to save
        return b""
    return stream.getvalue()


# --- JSON ----------------------------------------------------------------------------------------

json_scalar = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                        st.floats(allow_nan=False, allow_infinity=False), odd_text(), st.uuids().map(str))
json_value = st.recursive(json_scalar, lambda children: st.one_of(
    st.lists(children, max_size=5), st.dictionaries(odd_text(12), children, max_size=5)), max_leaves=20)


def assert_problems_say_where_and_what(problems: list, file: str) -> None:
    """Every problem a Problem naming the file and a line, with a message."""
    for problem in problems:
        assert isinstance(problem, Problem), problem
        assert problem.file == file, problem
        assert isinstance(problem.line, int) and problem.line >= 0, problem
        assert isinstance(problem.message, str) and problem.message.strip(), problem
