"""What goes on each printed document, gathered from the database for the renderers in this package.

Labels are fixed Chinese: these are official paper forms, printed in Chinese whatever the screen's language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizapp.analytics.topics import missed_topics
from quizapp.bank.citations import format_citation
from quizapp.exam.inspections import inspection_summary
from quizapp.exam.papers import items_view, right_answers
from quizapp.models import Inspection, LegalSource, PaperSheet, Role
from quizapp.pdf.record import ExamRecord
from quizapp.pdf.sheets import Sheet, SheetHeader, SheetItem

KIND_NAMES = {"routine": "日常检查", "assistance": "帮扶检查", "covert": "暗访检查", "follow-up": "复查"}
MODE_NAMES = {"tablet": "平板", "oral": "口试", "paper": "纸质"}
FINDING_NAMES = {"failed_exam": "考试不合格，须补考", "certificate_missing": "特种作业人员无证上岗",
                 "certificate_expired": "特种作业操作证已过期",
                 "certificate_review_overdue": "特种作业操作证未按期复审"}
SHEET_TITLE = "逢查必考 现场考试卷"


def inspection_number(inspection: Inspection) -> str:
    """A number people can read out and write down: the local date and the inspection's id."""
    return f"{inspection.local_date:%Y%m%d}-{inspection.id:04d}"


def _role_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Role.code, Role.name)).all())


def _header(sheet: PaperSheet, role_names: dict[str, str], url: str) -> SheetHeader:
    attempt, inspection = sheet.attempt, sheet.inspection
    inspector = attempt.examiner.display_name if attempt and attempt.examiner else ""
    return SheetHeader(title=SHEET_TITLE, enterprise=sheet.enterprise.name,
                       inspection=inspection_number(inspection) if inspection else "",
                       worker=attempt.worker.name if attempt else "", role=role_names.get(sheet.role_code, ""),
                       post=attempt.worker.post if attempt else "",
                       date=inspection.local_date.isoformat() if inspection else "", inspector=inspector,
                       sheet_id=sheet.token[:8].upper(), url=url)


def _sheet_item(item: dict[str, Any]) -> SheetItem:
    return SheetItem(number=item["number"], type=item["type"], stem=item["stem"],
                     options=tuple(item.get("options", ())), blanks=item.get("blanks", 0),
                     key_points=tuple(point["point"] for point in item.get("key_points", ())),
                     steps=tuple((step["text"], step["critical"]) for step in item.get("steps", ())))


def quiz_sheets(session: Session, sheets: Sequence[PaperSheet], url_of: Callable[[PaperSheet], str]) -> list[Sheet]:
    """Each sheet's header and questions, in the paper's order (the same paper the tablet would show)."""
    role_names = _role_names(session)
    return [Sheet(_header(sheet, role_names, url_of(sheet)),
                  tuple(_sheet_item(item) for item in items_view(session, sheet.items))) for sheet in sheets]


def _answer_text(kind: str, answer: Any) -> str:
    if kind == "judge":
        return "正确" if answer else "错误"
    if kind == "multiple":
        return "、".join(answer)
    if kind == "fill":
        return "；".join(" / ".join(accepted) for accepted in answer)
    if kind == "oral":
        return "；".join(f"{point['point']}（{point['weight']}分）" for point in answer)
    if kind == "practical":
        return "；".join(f"{number}. {step['text']}{'（关键）' if step['critical'] else ''}"
                        for number, step in enumerate(answer, 1))
    return str(answer)


def answer_keys(session: Session, sheets: Sequence[PaperSheet],
                url_of: Callable[[PaperSheet], str]) -> list[tuple[SheetHeader, list[str]]]:
    role_names = _role_names(session)
    keys = []
    for sheet in sheets:
        answers = zip(sheet.items, right_answers(session, sheet.items), strict=True)
        keys.append((_header(sheet, role_names, url_of(sheet)),
                     [_answer_text(item["type"], answer) for item, answer in answers]))
    return keys


def exam_record(session: Session, inspection: Inspection, integrity: str = "") -> ExamRecord:
    """The inspection's 检查考核记录表: who was examined, how they did, what was found and on what basis."""
    summary = inspection_summary(session, inspection)
    role_names = _role_names(session)
    sources = {source.code: source for source in session.scalars(select(LegalSource))}
    enterprise = inspection.enterprise

    def basis_text(basis: list[dict[str, str]]) -> str:
        cited = [(sources[b["source"]], b["article"]) for b in basis if b["source"] in sources]
        return "；".join(format_citation(source.short_name or source.name, source.kind, article)
                        for source, article in cited)

    return ExamRecord(
        enterprise=enterprise.name, credit_code=enterprise.credit_code, county=enterprise.county or "",
        kind=KIND_NAMES[inspection.kind], date=inspection.local_date.isoformat(),
        team=tuple(member.user.display_name or member.user.username for member in inspection.team),
        staff=tuple((a.worker.name, role_names.get(a.worker.role_code, ""), a.worker.post, MODE_NAMES[a.mode],
                     f"{a.score:.1f}", "合格" if a.passed else "不合格") for a in summary.results),
        missed_topics=tuple(missed_topics(session, summary.results)[:8]),
        drills=(),
        findings=tuple((f.worker.name if f.worker else "", FINDING_NAMES[f.kind], basis_text(f.basis),
                        f.due_on.isoformat()) for f in summary.findings),
        integrity=integrity)
