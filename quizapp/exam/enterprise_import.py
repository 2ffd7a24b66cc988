"""Enterprises and their rosters from Excel workbooks, as bureaus and enterprises keep them.

Two kinds of sheet, each read from the sheet of its name (企业, 人员) or else the first sheet. Row 1
holds the headers, in any order, in Chinese or English (case, spaces, ``_`` and ``-`` are ignored):

- enterprises: 统一社会信用代码 (credit code), 企业名称 (name), 县区 (county), 地址 (address),
  行业 (industries: codes or names separated by 、 , ； or white space), 联系人 (contact name),
  联系电话 (contact phone). A credit code already in the database updates that enterprise.
- a roster, for one enterprise: 姓名 (name), 岗位角色 (role), 岗位 (post), 岗位要求的特种作业
  (required certificate), 身份证号 (ID number), 特种作业类别 (certificate category), 证书编号
  (certificate number), 发证日期 (issued on), 复审日期 (last reviewed on). One certificate per row;
  another row for the same person adds another certificate. A person is the same person when the
  ID-card number is the same or, without one, the name and post are; so a file imported twice
  changes nothing the second time. A person first entered without an ID-card number gets it from
  a row with the same name and post. An erased person is never matched: someone imported again is
  a new row. A certificate number holding an ID-card number (T and the number, as most do) is kept
  with that part masked.

Taxonomy terms (industries, roles, certificate categories) are codes or Chinese names. A column
missing from the sheet leaves that field as it is; an empty cell in a present column clears it.

Every cell is checked before anything is written, and every problem is reported as
``file.xlsx:row: message`` naming the column. One problem means nothing is written; the caller
commits (or rolls back) the one transaction.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from quizapp.bank.cells import cell_text, parse_tags
from quizapp.bank.problems import Problem, msg
from quizapp.bank.taxonomy import TaxonomyIndex
from quizapp.bank.ziplimits import xlsx_size_problem
from quizapp.exam.roster import add_worker, hash_id_number, id_number_problem, mask_id_number, mask_id_numbers_in
from quizapp.models import Certificate, Enterprise, Worker
from quizapp.models.enterprise import credit_code_problem

Source = Path | IO[bytes]
DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
UNREADABLE = (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, IndexError, ValueError, TypeError)


@dataclass(frozen=True)
class Column:
    header: str  # as written in the template
    field: str  # the attribute the column fills
    english: str  # the English header, also accepted
    required: bool = False
    limit: int | None = None  # the database column's length


@dataclass(frozen=True)
class SheetKind:
    sheet: str
    columns: tuple[Column, ...]
    example: tuple[str, ...]  # the template's example row

    def column(self, field_name: str) -> Column:
        return next(column for column in self.columns if column.field == field_name)


ENTERPRISES = SheetKind("企业", (
    Column("统一社会信用代码", "credit_code", "credit code", required=True),
    Column("企业名称", "name", "name", required=True, limit=Enterprise.name.type.length),
    Column("县区", "county", "county", limit=Enterprise.county.type.length),
    Column("地址", "address", "address", limit=Enterprise.address.type.length),
    Column("行业", "industry_codes", "industries"),
    Column("联系人", "contact_name", "contact name", limit=Enterprise.contact_name.type.length),
    Column("联系电话", "contact_phone", "contact phone", limit=Enterprise.contact_phone.type.length),
), ("91371302MA3E123452", "临沂某铝业有限公司", "罗庄区", "罗庄区某路1号", "有色、粉尘涉爆", "王经理", "0539-1234567"))

ROSTER = SheetKind("人员", (
    Column("姓名", "name", "name", required=True, limit=Worker.name.type.length),
    Column("岗位角色", "role_code", "role", required=True),
    Column("岗位", "post", "post", limit=Worker.post.type.length),
    Column("岗位要求的特种作业", "required_category", "required certificate"),
    Column("身份证号", "id_number", "ID number"),
    Column("特种作业类别", "category_code", "certificate category"),
    Column("证书编号", "number", "certificate number", limit=Certificate.number.type.length),
    Column("发证日期", "issued_on", "issued on"),
    Column("复审日期", "last_reviewed_on", "last reviewed on"),
), ("李焊工", "特种作业人员", "电焊", "焊接与热切割作业", "11010519491231002X", "焊接与热切割作业",
    "T110105194912310020", "2023-05-01", ""))

CERTIFICATE_FIELDS = ("category_code", "number", "issued_on", "last_reviewed_on")


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}"


class SheetError(Exception):
    """A workbook that was not imported; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def _normal(header: str) -> str:
    return re.sub(r"[\s_-]+", "", header).lower()


@dataclass
class _Row:
    """One sheet row's cells by field, and a place to report its problems against their columns."""

    kind: SheetKind
    display: str
    number: int
    cells: dict[str, Any]
    problems: list[Problem]

    def report(self, message: str) -> None:
        self.problems.append(Problem(self.display, self.number, message))

    def text(self, field_name: str) -> str:
        column = self.kind.column(field_name)
        text = cell_text(self.cells.get(field_name))
        if column.required and not text:
            self.report(msg("{column} must not be empty", column=column.header))
        elif column.limit and len(text) > column.limit:
            self.report(msg("{column} has {length} characters; at most {limit} fit",
                            column=column.header, length=len(text), limit=column.limit))
        return text

    def term(self, field_name: str, taxonomy_kind: str, index: TaxonomyIndex, text: str | None = None) -> str | None:
        """The taxonomy code a cell (or ``text`` from it) names, None when empty or unknown (reported)."""
        text = self.text(field_name) if text is None else text
        if not text:
            return None
        code = index.resolve(taxonomy_kind, text)
        if code is None:
            self.report(msg("{column}: {value!r} is neither a code nor a name in the taxonomy",
                            column=self.kind.column(field_name).header, value=text))
        return code

    def day(self, field_name: str) -> date | None:
        value = self.cells.get(field_name)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = cell_text(value)
        if not text:
            return None
        match = DATE_TEXT.fullmatch(text)
        try:
            if match:
                return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass  # 2023-02-30: reported like any other text that is no date
        self.report(msg("{column}: {value!r} is not a date; write it as 2023-05-01",
                        column=self.kind.column(field_name).header, value=text))
        return None

    def present(self, values: dict[str, Any]) -> dict[str, Any]:
        """Only the values of columns the sheet has: a missing column leaves its field unchanged."""
        return {name: value for name, value in values.items() if name in self.cells}

    def compare(self, first_row: int, known: dict[str, Any], new: dict[str, Any]) -> None:
        """Report values that differ from an earlier row about the same person (or certificate)."""
        for name, value in new.items():
            if name in known and known[name] != value:
                self.report(msg("{column}: {value} differs from row {first}; both rows are about the same person",
                                column=self.kind.column(name).header, value="" if value is None else value,
                                first=first_row))


def _read_sheet(kind: SheetKind, source: Source, display: str) -> tuple[list[_Row], list[Problem]]:
    """The non-empty rows of the sheet, and the problems with the file and its headers."""
    too_big = xlsx_size_problem(source)
    if too_big:
        return [], [Problem(display, 0, too_big)]
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except UNREADABLE as error:
        return [], [Problem(display, 0, msg("not an Excel .xlsx workbook: {reason}",
                                            reason=str(error) or type(error).__name__))]
    try:
        sheet = workbook[kind.sheet] if kind.sheet in workbook.sheetnames else workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers leave the dimension out or get it wrong
        values = list(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()
    if not values:
        return [], [Problem(display, 1, msg("the sheet is empty: row 1 must hold the headers"))]
    positions, problems = _read_headers(kind, values[0], display)
    if any(column.required and column.field not in positions for column in kind.columns):
        return [], problems
    rows = []
    for number, row in enumerate(values[1:], start=2):
        cells = {name: row[index] if index < len(row) else None for name, index in positions.items()}
        if any(cell_text(value) for value in cells.values()):
            rows.append(_Row(kind, display, number, cells, problems))
    return rows, problems


def _read_headers(kind: SheetKind, header_row: tuple[Any, ...], display: str) -> tuple[dict[str, int], list[Problem]]:
    """Each known column's index by field; unknown, doubled and missing required headers are problems."""
    by_header = {_normal(name): column for column in kind.columns for name in (column.header, column.english)}
    positions: dict[str, int] = {}
    problems = []
    for index, value in enumerate(header_row):
        header = cell_text(value)
        if not header:
            continue
        letter = get_column_letter(index + 1)
        column = by_header.get(_normal(header))
        if column is None:
            problems.append(Problem(display, 1, msg(
                "unknown column {header!r} (column {letter}); expected {headers}", header=header, letter=letter,
                headers=", ".join(column.header for column in kind.columns))))
        elif column.field in positions:
            problems.append(Problem(display, 1, msg(
                "column {header} appears twice (columns {first} and {letter})", header=column.header,
                first=get_column_letter(positions[column.field] + 1), letter=letter)))
        else:
            positions[column.field] = index
    problems += [Problem(display, 1, msg("missing column {header}", header=column.header))
                 for column in kind.columns if column.required and column.field not in positions]
    return positions, problems


def _assign(record: Any, values: dict[str, Any]) -> bool:
    """Set the values that differ; whether any did."""
    changed = {name: value for name, value in values.items() if getattr(record, name) != value}
    for name, value in changed.items():
        setattr(record, name, value)
    return bool(changed)


def import_enterprises(session: Session, source: Source, display: str) -> ImportCounts:
    """Create or update (by credit code) the enterprises of a sheet; raises SheetError and writes nothing
    when any cell is wrong."""
    rows, problems = _read_sheet(ENTERPRISES, source, display)
    index = TaxonomyIndex.from_db(session)
    planned: dict[str, dict[str, Any]] = {}
    first_rows: dict[str, int] = {}
    for row in rows:
        values = _enterprise_values(row, index)
        code = values["credit_code"]
        if code in first_rows:
            row.report(msg("{column} {code} is already on row {first}", column=ENTERPRISES.column("credit_code").header,
                           code=code, first=first_rows[code]))
        elif code:
            planned[code], first_rows[code] = values, row.number
    if problems:
        raise SheetError(problems)
    existing = {enterprise.credit_code: enterprise for enterprise in
                session.scalars(select(Enterprise).where(Enterprise.credit_code.in_(list(planned))))}
    counts = ImportCounts()
    for code, values in planned.items():
        enterprise = existing.get(code)
        if enterprise is None:
            session.add(Enterprise(**values))
            counts.created += 1
        elif _assign(enterprise, values):
            counts.updated += 1
        else:
            counts.unchanged += 1
    session.flush()
    return counts


def _enterprise_values(row: _Row, index: TaxonomyIndex) -> dict[str, Any]:
    code = "".join(row.text("credit_code").split()).upper()
    problem = credit_code_problem(code) if code else None
    if problem:
        row.report(msg("{column}: {problem}", column=ENTERPRISES.column("credit_code").header, problem=problem))
    industries = [row.term("industry_codes", "industries", index, text)
                  for text in parse_tags(cell_text(row.cells.get("industry_codes")))]
    return row.present({
        "credit_code": code, "name": row.text("name"), "county": row.text("county"),
        "address": row.text("address"), "industry_codes": list(dict.fromkeys(code for code in industries if code)),
        "contact_name": row.text("contact_name"), "contact_phone": row.text("contact_phone"),
    })


@dataclass
class _Entry:
    """One roster row, read: the person's fields, ID-card number and certificate."""

    row: _Row
    values: dict[str, Any]
    id_number: str
    id_hash: str | None
    certificate: dict[str, Any] | None

    @property
    def name_and_post(self) -> tuple[str, str]:
        return self.values["name"], self.values.get("post", "")


@dataclass
class _Person:
    """The rows about one person, merged, and the worker on the roster they are, if any."""

    first_row: int
    values: dict[str, Any]
    id_number: str
    id_hash: str | None
    certificates: dict[tuple[str, str], tuple[int, dict[str, Any]]] = field(default_factory=dict)
    worker: Worker | None = None

    def merge(self, entry: _Entry) -> None:
        """Take in another row about this person: its values must agree, its certificate is added."""
        entry.row.compare(self.first_row, self.values, entry.values)
        certificate = entry.certificate
        if certificate is None:
            return
        key = (certificate["category_code"], certificate["number"])
        if key in self.certificates:
            first_row, known = self.certificates[key]
            entry.row.compare(first_row, known, certificate)
        else:
            self.certificates[key] = (entry.row.number, certificate)


def import_roster(session: Session, enterprise: Enterprise, source: Source, display: str, *,
                  hash_key: bytes) -> ImportCounts:
    """Add people and certificates to an enterprise's roster, or update those already on it; raises SheetError
    and writes nothing when any cell is wrong. Counts are of people."""
    rows, problems = _read_sheet(ROSTER, source, display)
    index = TaxonomyIndex.from_db(session)
    people = _group_people([_roster_entry(row, index, hash_key) for row in rows])
    if not problems:
        _match_workers(session, enterprise, people, display, problems)
    if problems:
        raise SheetError(problems)
    return _save_people(session, enterprise, people, hash_key)


def _roster_entry(row: _Row, index: TaxonomyIndex, hash_key: bytes) -> _Entry:
    values = row.present({"name": row.text("name"), "role_code": row.term("role_code", "roles", index),
                          "post": row.text("post"),
                          "required_category": row.term("required_category", "special_operations", index)})
    id_number = row.text("id_number").upper()
    problem = id_number_problem(id_number) if id_number else None
    if problem:
        row.report(msg("{column}: {problem}", column=ROSTER.column("id_number").header, problem=problem))
    id_hash = hash_id_number(hash_key, id_number) if id_number and not problem else None
    return _Entry(row, values, id_number, id_hash, _certificate(row, index))


def _certificate(row: _Row, index: TaxonomyIndex) -> dict[str, Any] | None:
    """The row's certificate, or None when it has none; category, number and issue date go together."""
    certificate = {"category_code": row.term("category_code", "special_operations", index),
                   "number": mask_id_numbers_in(row.text("number")), "issued_on": row.day("issued_on"),
                   "last_reviewed_on": row.day("last_reviewed_on")}
    filled = [name for name in CERTIFICATE_FIELDS if cell_text(row.cells.get(name))]
    if not filled:
        return None
    for name in CERTIFICATE_FIELDS[:3]:
        if name not in filled:
            row.report(msg("{column} must not be empty: the row has a certificate", column=ROSTER.column(name).header))
    issued, reviewed = certificate["issued_on"], certificate["last_reviewed_on"]
    if issued and reviewed and reviewed < issued:
        row.report(msg("{column}: {reviewed} is before the issue date {issued}",
                       column=ROSTER.column("last_reviewed_on").header, reviewed=reviewed, issued=issued))
    return certificate if all(certificate[name] for name in CERTIFICATE_FIELDS[:3]) else None


def _group_people(entries: list[_Entry]) -> list[_Person]:
    """Rows about the same person become one: the same ID-card number, or else the same name and post.

    A row without a number joins the one person of its name and post who has a number in the file;
    when several do, the row cannot tell which and is a problem.
    """
    by_hash: dict[str, _Person] = {}
    for entry in entries:
        if entry.id_hash:
            person = by_hash.get(entry.id_hash)
            if person is None:
                by_hash[entry.id_hash] = _Person(entry.row.number, entry.values, entry.id_number, entry.id_hash)
            by_hash[entry.id_hash].merge(entry)
    numbered: dict[tuple[str, str], list[_Person]] = {}
    for person in by_hash.values():
        numbered.setdefault((person.values["name"], person.values.get("post", "")), []).append(person)
    unnumbered: dict[tuple[str, str], _Person] = {}
    for entry in entries:
        if entry.id_hash:
            continue
        holders = numbered.get(entry.name_and_post, [])
        if len(holders) > 1:
            entry.row.report(_ambiguous(len(holders), entry.values["name"]))
            continue
        person = holders[0] if holders else unnumbered.get(entry.name_and_post)
        if person is None:
            person = unnumbered[entry.name_and_post] = _Person(entry.row.number, entry.values, "", None)
        person.merge(entry)
    return [*by_hash.values(), *unnumbered.values()]


def _ambiguous(count: int, name: str) -> str:
    return msg("{column}: {count} people named {name} with this post are in the file or on the roster; "
               "give the ID-card number to tell them apart",
               column=ROSTER.column("id_number").header, count=count, name=name)


def _match_workers(session: Session, enterprise: Enterprise, people: list[_Person], display: str,
                   problems: list[Problem]) -> None:
    """Find each person already on the roster: by ID-card number, else by name and post.

    A person with a number not on the roster may be the one person of that name and post entered without
    a number, and then gets it. People are matched by number first, so nobody is matched twice.
    """
    workers = session.scalars(select(Worker).where(Worker.enterprise_id == enterprise.id, Worker.erased_at.is_(None))
                              .options(selectinload(Worker.certificates))).all()
    by_hash = {worker.id_number_hash: worker for worker in workers if worker.id_number_hash}
    claimed = {by_hash[person.id_hash].id for person in people if person.id_hash in by_hash}
    for person in people:
        if person.id_hash in by_hash:
            person.worker = by_hash[person.id_hash]
            continue
        candidates = [worker for worker in workers if worker.id not in claimed
                      and worker.name == person.values["name"]
                      and person.values.get("post", worker.post) == worker.post
                      and not (person.id_hash and worker.id_number_hash)]
        if len(candidates) == 1:
            person.worker = candidates[0]
            claimed.add(person.worker.id)
        elif candidates and not person.id_hash:
            problems.append(Problem(display, person.first_row, _ambiguous(len(candidates), person.values["name"])))


def _save_people(session: Session, enterprise: Enterprise, people: list[_Person], hash_key: bytes) -> ImportCounts:
    counts = ImportCounts()
    for person in people:
        certificates = [certificate for _, certificate in person.certificates.values()]
        if person.worker is None:
            values = person.values
            worker = add_worker(session, enterprise, name=values["name"], role_code=values["role_code"],
                                post=values.get("post", ""), required_category=values.get("required_category"),
                                id_number=person.id_number, hash_key=hash_key,
                                certificate=certificates[0] if certificates else None)
            worker.certificates.extend(Certificate(**certificate) for certificate in certificates[1:])
            counts.created += 1
        elif _update_worker(person.worker, person, certificates):
            counts.updated += 1
        else:
            counts.unchanged += 1
    session.flush()
    return counts


def _update_worker(worker: Worker, person: _Person, certificates: list[dict[str, Any]]) -> bool:
    """Bring a worker up to date with the file (certificates are added, never removed); whether anything changed."""
    identity = {"id_number_hash": person.id_hash, "id_number_masked": mask_id_number(person.id_number)}
    changed = _assign(worker, person.values | (identity if person.id_hash else {}))
    held = {(certificate.category_code, certificate.number): certificate for certificate in worker.certificates}
    for certificate in certificates:
        existing = held.get((certificate["category_code"], certificate["number"]))
        if existing is None:
            worker.certificates.append(Certificate(**certificate))
            changed = True
        else:
            changed = _assign(existing, certificate) or changed
    return changed


def write_template(kind: SheetKind, target: Path | IO[bytes]) -> None:
    """A workbook with the headers and one example row, so people see the columns ``_read_sheet`` expects."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(kind.sheet)
    sheet.freeze_panes = "A2"
    for number, column in enumerate(kind.columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = max(12, 2 * len(column.header) + 4)
    bold = Font(bold=True)
    sheet.append([_text_cell(sheet, column.header, bold) for column in kind.columns])
    sheet.append([_text_cell(sheet, value) for value in kind.example])
    workbook.save(target)


def _text_cell(sheet: Any, value: str, font: Font | None = None) -> WriteOnlyCell:
    """A text cell: an ID-card number or a date stays as written instead of becoming a number."""
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    if font:
        cell.font = font
    return cell
