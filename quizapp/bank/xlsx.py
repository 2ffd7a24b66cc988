"""Question banks as Excel workbooks: one row per question, in the columns bureaus keep their banks in.

The reader reads the sheet named 题库 (or else the first sheet). Row 1 holds the headers, in any
order (spaces inside a header are ignored): 编号, 题型, 题干, 选项A … 选项H, 答案, 解析, 法规依据,
适用岗位, 适用行业, 知识点, 难度, 状态, 要点, 步骤; 编号, 题型 and 题干 are required.

The reader only turns cell text into the values ``check_question`` expects. The validator, not the
reader, decides what is valid, so text the reader cannot make sense of is passed on for it to report.

Cell syntax: 题型 is 单选题 多选题 判断题 填空题 口述题 手指口述 (also 单选 多选 判断 填空 口述 问答题 实操,
or the codes single, multiple, judge, fill, oral, practical); 选项A … 选项H hold one option each,
without gaps; 难度 is 1 to 5; 状态 is 正常 (or empty, 启用, active) or 停用 (退役, retired). 答案, 法规依据,
适用岗位, 适用行业, 知识点, 要点 and 步骤 use the syntax of ``quizapp.bank.cells``, shared with the web
editor. The writer writes a taxonomy code instead of a name that would not read back as that code,
so every question survives a round trip.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from quizapp.bank import cells as syntax
from quizapp.bank.cells import cell_text
from quizapp.bank.problems import Problem, msg
from quizapp.bank.taxonomy import TAG_KINDS, TaxonomyIndex, TaxonomySpec
from quizapp.bank.types import LETTERS, QUESTION_TYPES
from quizapp.bank.validate import QUESTION_FIELDS, QuestionSpec, RawQuestion
from quizapp.bank.ziplimits import xlsx_size_problem

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

SHEET = "题库"
OPTION_HEADERS = tuple(f"选项{letter}" for letter in LETTERS)
FIELD_OF_HEADER = {
    "编号": "id", "题型": "type", "题干": "stem", "答案": "answer", "解析": "explanation",
    "法规依据": "basis", "适用岗位": "roles", "适用行业": "industries", "知识点": "topics",
    "难度": "difficulty", "状态": "status", "要点": "key_points", "步骤": "steps",
}
HEADERS = ("编号", "题型", "题干", *OPTION_HEADERS, "答案", "解析", "法规依据", "适用岗位", "适用行业",
           "知识点", "难度", "状态", "要点", "步骤")
REQUIRED_HEADERS = ("编号", "题型", "题干")
COLUMN_WIDTHS = {"编号": 16, "题型": 9, "题干": 50, "答案": 12, "解析": 40, "法规依据": 24,
                 "适用岗位": 16, "适用行业": 12, "知识点": 16, "难度": 6, "状态": 6, "要点": 36, "步骤": 36}
OPTION_WIDTH = 22

TYPE_OF_NAME = {
    **{code: code for code in QUESTION_TYPES},
    "单选题": "single", "单选": "single", "多选题": "multiple", "多选": "multiple",
    "判断题": "judge", "判断": "judge", "填空题": "fill", "填空": "fill",
    "口述题": "oral", "口述": "oral", "问答题": "oral", "手指口述": "practical", "实操": "practical",
}
STATUS_OF_NAME = {"正常": "active", "启用": "active", "active": "active",
                  "停用": "retired", "退役": "retired", "retired": "retired"}
STATUS_NAMES = {"active": "正常", "retired": "停用"}


def read(path: Path, display: str) -> tuple[list[RawQuestion], list[Problem]]:
    """Read a workbook's question rows; a file that is no workbook gives one problem, not an exception."""
    too_big = xlsx_size_problem(path)
    if too_big:
        return [], [Problem(display, 0, too_big)]
    try:
        rows = _sheet_rows(path)
    except (OSError, zipfile.BadZipFile, KeyError, IndexError, ValueError, TypeError) as error:
        reason = error.args[0] if isinstance(error, KeyError) else error  # KeyError's str() adds quotes
        return [], [Problem(display, 0, msg("not an Excel .xlsx workbook: {reason}",
                                            reason=reason or type(error).__name__))]
    if not rows:
        return [], [Problem(display, 1, msg("the sheet is empty: row 1 must hold the headers"))]
    columns, problems = _read_headers(rows[0], display)
    if not all(header in columns for header in REQUIRED_HEADERS):
        return [], problems
    raws = []
    for number, row in enumerate(rows[1:], start=2):
        cells = {header: row[index] for header, index in columns.items() if index < len(row)}
        if any(cell_text(value) for value in cells.values()):
            raws.append(_row_question(cells, number, display, problems))
    return raws, problems


def _sheet_rows(path: Path) -> list[tuple[Any, ...]]:
    """The values of the sheet 题库 (or else the first sheet), row 1 first.

    Values are those Excel last calculated: numbers, True/False, or text. The declared dimension is
    ignored, since some writers leave it out or get it wrong.
    """
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
        sheet.reset_dimensions()
        return list(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def _read_headers(header_row: list[Any], display: str) -> tuple[dict[str, int], list[Problem]]:
    """Each known header's column index; unknown, doubled and missing headers are problems."""
    columns: dict[str, int] = {}
    problems = []
    for index, value in enumerate(header_row):
        header = "".join(cell_text(value).split())
        letter = get_column_letter(index + 1)
        if not header:
            continue
        if header not in HEADERS:
            problems.append(Problem(display, 1, msg("unknown column {header!r} (column {letter}); expected {headers}",
                                                    header=header, letter=letter, headers=", ".join(HEADERS))))
        elif header in columns:
            problems.append(Problem(display, 1, msg("column {header} appears twice (columns {first} and {letter})",
                                                    header=header, first=get_column_letter(columns[header] + 1),
                                                    letter=letter)))
        else:
            columns[header] = index
    problems += [Problem(display, 1, msg("missing column {header}", header=header))
                 for header in REQUIRED_HEADERS if header not in columns]
    return columns, problems


def _row_question(cells: dict[str, Any], row: int, display: str, problems: list[Problem]) -> RawQuestion:
    """One row as a RawQuestion; only a gap between options is reported here, the rest by the validator."""
    data: dict[str, Any] = {}
    type_text = cell_text(cells.get("题型"))
    kind = TYPE_OF_NAME.get(type_text.lower(), type_text)
    options = [cell_text(cells.get(header)) for header in OPTION_HEADERS]
    while options and not options[-1]:
        options.pop()
    if options:
        data["options"] = options
        problems += [Problem(display, row, msg("{header} is empty but a later option is filled; "
                                               "options must have no gaps", header=header), "options")
                     for header, text in zip(OPTION_HEADERS, options, strict=False) if not text]
    for header, name in FIELD_OF_HEADER.items():
        text = cell_text(cells.get(header))
        if not text:
            continue
        if name == "type":
            data[name] = kind
        elif name == "answer":
            value = cells[header]
            data[name] = value if isinstance(value, bool) else syntax.parse_answer(kind, text)
        elif name == "difficulty":
            data[name] = int(text) if text.isdigit() else cells[header]
        elif name == "status":
            data[name] = STATUS_OF_NAME.get(text.lower(), text)
        else:
            data[name] = CELL_READERS.get(name, str)(text)
    return RawQuestion(display, row, data, dict.fromkeys(QUESTION_FIELDS, row))


CELL_READERS = {
    "basis": syntax.parse_basis, "roles": syntax.parse_tags, "industries": syntax.parse_tags,
    "topics": syntax.parse_tags, "key_points": syntax.parse_key_points, "steps": syntax.parse_steps,
}


def write(questions: list[QuestionSpec], taxonomy: TaxonomySpec, path: Path) -> None:
    """Write one sheet 题库 that ``read`` turns back into the same questions."""
    index = TaxonomyIndex.from_spec(taxonomy)
    tag_names = {kind: _tag_names(kind, taxonomy, index) for kind in TAG_KINDS}
    source_names = _source_names(taxonomy, index)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET)
    sheet.freeze_panes = "A2"
    for number, header in enumerate(HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = COLUMN_WIDTHS.get(header, OPTION_WIDTH)
    header_font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    sheet.append([_text_cell(sheet, header, font=header_font) for header in HEADERS])
    for spec in questions:
        sheet.append([_text_cell(sheet, value, alignment=wrap) if isinstance(value, str) else value
                      for value in _row_values(spec, tag_names, source_names)])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def _tag_names(kind: str, taxonomy: TaxonomySpec, index: TaxonomyIndex) -> dict[str, str]:
    """Each code's name as written, or the code itself where the name would not read back as that code."""
    names = {}
    for term in taxonomy.terms[kind]:
        written = syntax.escape(term["name"], syntax.TAG_SPECIALS)
        reads_back = [index.resolve(kind, name) for name in syntax.parse_tags(written)] == [term["code"]]
        names[term["code"]] = written if reads_back else term["code"]
    return names


def _source_names(taxonomy: TaxonomySpec, index: TaxonomyIndex) -> dict[str, str]:
    """Each source's short name, or its code where the short name would not read back as that source."""
    names = {}
    for term in taxonomy.terms["sources"]:
        short = term.get("short_name") or ""
        parsed = syntax.parse_basis(f"{short} 1")
        reads_back = [index.resolve_source(citation["source"]) for citation in parsed] == [term["code"]]
        names[term["code"]] = short if short and reads_back else term["code"]
    return names


def _text_cell(sheet: WriteOnlyWorksheet, value: str, font: Font | None = None,
               alignment: Alignment | None = None) -> WriteOnlyCell:
    """A cell that stays text: openpyxl would store ``=…`` as a formula and ``#N/A`` as an error."""
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    if font:
        cell.font = font
    if alignment:
        cell.alignment = alignment
    return cell


def _row_values(spec: QuestionSpec, tag_names: dict[str, dict[str, str]],
                source_names: dict[str, str]) -> list[Any]:
    content = spec.content
    kind = content["type"]
    options = content["options"] + [None] * (len(LETTERS) - len(content["options"]))
    basis = syntax.format_basis(content["basis"], source_names)
    tags = [syntax.format_tags(content[tag_kind], tag_names[tag_kind]) for tag_kind in TAG_KINDS]
    key_points = syntax.format_key_points(content["key_points"])
    steps = syntax.format_steps(content["steps"])
    return [spec.code, QUESTION_TYPES[kind].label, content["stem"], *options,
            syntax.format_answer(kind, content["answer"]) or None, content["explanation"], basis, *tags,
            content["difficulty"], STATUS_NAMES[spec.status], key_points or None, steps or None]
