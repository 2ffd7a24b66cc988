"""The tables of the enterprise review, the bureau's dashboard and the item statistics as plain rows, and one
writer that turns such a table into a CSV or an Excel file.

Headers and labels are in the reader's language, as on the page the table comes from. Personal data stays
out: staff appear by name only (no ID-card number, no phone), and the name is masked (李*明, see
``quizapp.exam.personal_data.mask_name``) unless the caller passes another ``shown_name``: a file travels further
than the page it came from.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO, StringIO
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from quizapp.analytics.dashboard import Dashboard, Row, TopicScore
from quizapp.analytics.enterprise import (
    Accuracy,
    Overview,
    TopicReport,
    finding_citations,
    most_missed_questions,
    not_withdrawn,
    superseded_ids,
    wrong_answers,
)
from quizapp.analytics.items import BankStatistics, ItemStatistics
from quizapp.bank.citations import format_citation
from quizapp.bank.types import LETTERS
from quizapp.exam.inspections import local_today
from quizapp.exam.personal_data import mask_name
from quizapp.exam.rectification import rectification_state
from quizapp.models import DrillRun, Finding, Inspection, PracticeQuiz, Role
from quizapp.pdf.documents import answer_text

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
SHEET_NAME_LENGTH = 31  # Excel's limit
Names = Callable[[str], str]  # how a staff member's name is written in a file: mask_name, or as it is


class Percent(float):
    """A rate from 0 to 1, written as a percentage: "50%" in a CSV (Excel reads it as a number), 0.5 shown as 50%
    in a workbook."""


@dataclass(frozen=True)
class Table:
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]  # str, int, float, Percent, date or None (an empty cell)


def _percent(rate: float | None) -> Percent | None:
    return None if rate is None else Percent(rate)


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Percent):
        return f"{value * 100:.1f}%"
    if isinstance(value, date):
        return value.isoformat()
    return value


def table_file(table: Table, fmt: str) -> bytes:
    """``table`` as a CSV (UTF-8 with a byte-order mark, so that Excel reads the Chinese right) or as a workbook
    of one sheet, written row by row, with the header row in bold."""
    if fmt == "csv":
        text = StringIO()
        writer = csv.writer(text)
        writer.writerow(table.headers)
        writer.writerows([_csv_value(value) for value in row] for row in table.rows)
        return text.getvalue().encode("utf-8-sig")
    if fmt != "xlsx":
        raise ValueError(f"unknown format {fmt!r}")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_name(table.title))
    bold = Font(bold=True)

    def cell(value: Any, header: bool = False) -> WriteOnlyCell:
        written = WriteOnlyCell(sheet, value=float(value) if isinstance(value, Percent) else value)
        if header:
            written.font = bold
        elif isinstance(value, Percent):
            written.number_format = "0%"
        elif isinstance(value, date):
            written.number_format = "yyyy-mm-dd"
        return written

    sheet.append([cell(header, header=True) for header in table.headers])
    for row in table.rows:
        sheet.append([cell(value) for value in row])
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def _sheet_name(title: str) -> str:
    """A worksheet name Excel accepts: none of []:*?/\\ and at most 31 characters."""
    cleaned = "".join(" " if character in "[]:*?/\\" else character for character in title).strip()
    return cleaned[:SHEET_NAME_LENGTH] or "Sheet"


def _verdict(passed: bool | None) -> str:
    return _("Passed") if passed else _("Failed")


# The enterprise review


def reexams_table(review: Overview, shown_name: Names = mask_name) -> Table:
    return Table(_("Due for a re-exam"), [_("Staff"), _("Role"), _("Failed on"), _("Due"), _("overdue")],
                 [(shown_name(due.worker), due.role, due.failed_on, due.due_on, _("overdue") if due.overdue else "")
                  for due in review.reexams_due])


def standing_findings(session: Session, enterprise_id: int) -> list[Finding]:
    """The enterprise's findings that stand (not those of a replaced result), latest inspection first."""
    return list(session.scalars(
        select(Finding).join(Inspection, Inspection.id == Finding.inspection_id)
        .where(Inspection.enterprise_id == enterprise_id, not_withdrawn(superseded_ids(session, enterprise_id)))
        .order_by(Inspection.local_date.desc(), Finding.id)
        .options(joinedload(Finding.worker), joinedload(Finding.inspection))))


def findings_table(session: Session, enterprise_id: int, finding_labels: dict[str, Any],
                   state_labels: dict[str, Any], shown_name: Names = mask_name) -> Table:
    """Every finding that stands, with where its rectification is; verified ones too, unlike the page."""
    findings = standing_findings(session, enterprise_id)
    basis = finding_citations(session, findings)
    return Table(_("Findings"), [_("Finding"), _("Staff"), _("Rectification"), _("Note"), _("Due"), _("Found on"),
                                 _("Legal basis")],
                 [(str(finding_labels[finding.kind]) + (f"：{finding.detail}" if finding.detail else ""),
                   shown_name(finding.worker.name) if finding.worker else "",
                   str(state_labels[rectification_state(finding)]), finding.rectification_note, finding.due_on,
                   finding.inspection.local_date,
                   "；".join(basis[finding.id])) for finding in findings])


def results_table(review: Overview, shown_name: Names = mask_name) -> Table:
    return Table(_("Latest result of each examined worker"), [_("Staff"), _("Role"), _("Date"), _("Score"),
                                                               _("Verdict")],
                 [(shown_name(result.worker), result.role, result.day, result.score, _verdict(result.passed))
                  for result in review.latest_results])


def practice_table(session: Session, enterprise_id: int, shown_name: Names = mask_name) -> Table:
    """The enterprise's practice quizzes, newest first: kept apart from official results, so a table of their own."""
    quizzes = session.scalars(select(PracticeQuiz).where(PracticeQuiz.enterprise_id == enterprise_id)
                              .options(joinedload(PracticeQuiz.worker))
                              .order_by(PracticeQuiz.started_at.desc(), PracticeQuiz.id.desc())).all()
    roles = dict(session.execute(select(Role.code, Role.name)).all())
    return Table(_("Practice quizzes"), [_("Staff"), _("Role"), _("Date"), _("Questions"), _("Score"), _("Verdict")],
                 [(shown_name(quiz.worker.name), roles.get(quiz.worker.role_code, quiz.worker.role_code),
                   local_today(quiz.started_at), len(quiz.items), quiz.score,
                   _verdict(quiz.passed) if quiz.status == "final" else _("Not finished")) for quiz in quizzes])


def pass_rates_table(review: Overview) -> Table:
    return Table(_("Pass rate over time"), [_("Period"), _("Examined"), _("Passed"), _("Pass rate")],
                 [(row.period, row.examined, row.passed, Percent(row.rate)) for row in review.pass_rates])


def inspections_table(review: Overview, kind_labels: dict[str, Any]) -> Table:
    return Table(_("Inspections"), [_("Date"), _("Kind of inspection"), _("Examined"), _("Passed"), _("Findings")],
                 [(row.inspection.local_date, str(kind_labels[row.inspection.kind]), row.examined, row.passed,
                   row.findings) for row in review.inspections])


def topics_table(report: TopicReport) -> Table:
    """One row per topic (then its sub-topics) and role, all roles first: easy to pivot in a spreadsheet."""
    roles = [("", _("All roles")), *report.roles]

    def rows(topic: str, sub_topic: str, by_role: dict[str, Accuracy], overall: Accuracy):
        for code, name in roles:
            accuracy = overall if not code else by_role.get(code)
            if accuracy:
                yield topic, sub_topic, name, accuracy.answers, Percent(accuracy.rate)

    found = list(rows(_("All topics"), "", report.all_topics.by_role, report.all_topics.overall))
    for topic in report.topics:
        found.extend(rows(topic.name, "", topic.figures.by_role, topic.figures.overall))
        for sub in topic.sub_topics:
            found.extend(rows(topic.name, sub.name, sub.figures.by_role, sub.figures.overall))
    return Table(_("Weak topics"), [_("Topic"), _("Sub-topic"), _("Role"), _("Times answered"),
                                    _("Share of points earned")], found)


def wrong_answers_table(session: Session, enterprise_id: int, type_labels: dict[str, Any]) -> Table:
    """The whole wrong-answer book, most often missed first (options in the bank's order, lettered)."""
    question_ids = list(session.scalars(most_missed_questions(session, enterprise_id)))
    rows = []
    for entry in wrong_answers(session, enterprise_id, question_ids):
        version = entry.version
        options = "\n".join(f"{letter}. {option}" for letter, option in zip(LETTERS, version.options, strict=False))
        rows.append((entry.code, str(type_labels[version.type]), version.stem, options,
                     answer_text(version.type, entry.right_answer), entry.missed, entry.asked,
                     version.explanation or "",
                     "；".join(format_citation(basis.source.short_name or basis.source.name, basis.source.kind,
                                              basis.article) for basis in version.basis)))
    return Table(_("Wrong-answer book"), [_("Id"), _("Type"), _("Stem"), _("Options"), _("Right answer"),
                                          _("Times missed"), _("Times answered"), _("Explanation"),
                                          _("Legal basis")], rows)


def finished_drills(session: Session, enterprise_id: int) -> list[DrillRun]:
    """The enterprise's evaluated drills, the latest first (as on its page)."""
    return list(session.scalars(select(DrillRun).join(Inspection).where(
        Inspection.enterprise_id == enterprise_id, DrillRun.status == "finished")
        .order_by(DrillRun.finished_at.desc())))


# The bureau's dashboard


def _weakest_text(topics: Iterable[TopicScore]) -> str:
    return "；".join(f"{topic.name} {topic.score_rate * 100:.0f}%" for topic in topics)


def figures_table(title: str, heading: str, rows: Iterable[Row], drills: bool = True) -> Table:
    """A dashboard grouping (counties, enterprises, industries, roles), as the page's figures table."""
    return Table(title, [heading, _("Inspections"), _("Staff examined"), _("Exams"), _("Pass rate"),
                         _("Certificate findings"), _("Drills"), _("Drill pass rate"), _("Weakest topics")],
                 [(row.label or _("Not given"), row.figures.inspections, row.figures.staff_examined,
                   row.figures.exams, _percent(row.figures.pass_rate), row.figures.certificate_findings,
                   row.figures.drills if drills else None, _percent(row.figures.drill_pass_rate) if drills else None,
                   _weakest_text(row.weakest)) for row in rows])


def months_table(dashboard: Dashboard) -> Table:
    return Table(_("Month by month"), [_("Month"), _("Inspections"), _("Exams"), _("Pass rate"), _("Drills"),
                                       _("Drill pass rate")],
                 [(month, figures.inspections, figures.exams, _percent(figures.pass_rate), figures.drills,
                   _percent(figures.drill_pass_rate)) for month, figures in dashboard.months])


def dashboard_topics_table(dashboard: Dashboard) -> Table:
    return Table(_("By topic"), [_("Topic"), _("Times answered"), _("Share of points earned")],
                 [(topic.name, topic.answers, Percent(topic.score_rate)) for topic in dashboard.topics])


# Item statistics


def _rounded(value: float | None) -> int | None:
    return None if value is None else round(value)


def items_table(items: Iterable[ItemStatistics], type_labels: dict[str, Any], flag_labels: dict[str, Any]) -> Table:
    return Table(_("Item statistics"), [_("Id"), _("Type"), _("Stem"), _("Retired"), _("Times answered"),
                                        _("Versions asked"), _("Facility"), _("Standard deviation"),
                                        _("Discrimination index"), _("Discriminative efficiency"), _("Flags")],
                 [(item.code, str(type_labels[item.type]), item.stem, _("Retired") if item.retired else "",
                   item.asked, item.versions, Percent(item.facility), _percent(item.sd),
                   _rounded(item.discrimination), _rounded(item.efficiency),
                   "、".join(str(flag_labels[flag]) for flag in item.flags)) for item in items])


def blueprints_table(statistics: BankStatistics) -> Table:
    return Table(_("Reliability of each blueprint"), [_("Blueprint"), _("Items"), _("Attempts"),
                                                      _("Cronbach's alpha")],
                 [(blueprint.name, blueprint.items, blueprint.attempts,
                   None if blueprint.alpha is None else round(blueprint.alpha, 2))
                  for blueprint in statistics.blueprints])
