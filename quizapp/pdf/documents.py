"""What goes on each printed document, gathered from the database for the renderers in this package.

Labels are fixed Chinese: these are official paper forms, printed in Chinese whatever the screen's language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizapp.analytics.topics import missed_topics
from quizapp.audit import latest_entry_about
from quizapp.bank.citations import format_citation
from quizapp.exam.drill_runs import SCORING_METHOD, score_drill
from quizapp.exam.inspections import LOCAL_ZONE, inspection_summary
from quizapp.exam.papers import items_view, right_answers
from quizapp.models import Finding, Inspection, LegalSource, PaperSheet, Role
from quizapp.models.drill_run import DrillRun
from quizapp.pdf.drill_record import DrillPhaseRow, DrillRecord, DrillStepRow
from quizapp.pdf.record import ExamRecord, integrity_text
from quizapp.pdf.sheets import Sheet, SheetHeader, SheetItem

KIND_NAMES = {"routine": "日常检查", "assistance": "帮扶检查", "covert": "暗访检查", "follow-up": "复查"}
MODE_NAMES = {"tablet": "平板", "oral": "口试", "paper": "纸质"}
FINDING_NAMES = {"failed_exam": "考试不合格，须补考", "certificate_missing": "特种作业人员无证上岗",
                 "certificate_expired": "特种作业操作证已过期",
                 "certificate_review_overdue": "特种作业操作证未按期复审",
                 "drill_step_missed": "演练关键步骤漏做", "drill_step_wrong": "演练关键步骤错误",
                 "drill_failed": "演练不合格", "drills_not_held": "未按规定定期组织应急演练"}
DRILL_FORMS = {"practical": "实战演练", "tabletop": "桌面演练"}
STEP_MARK_NAMES = {"done": "完成", "late": "超时", "wrong": "错误", "missed": "漏做"}
RATING_NAMES = {"P": "P 顺利完成", "S": "S 有一些困难", "M": "M 有重大困难", "U": "U 未能完成"}
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


def answer_text(kind: str, answer: Any) -> str:
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
                     [answer_text(item["type"], answer) for item, answer in answers]))
    return keys


def exam_record(session: Session, inspection: Inspection) -> ExamRecord:
    """The inspection's 检查考核记录表: who was examined, how they did, what was found and on what basis, and the
    audit trail's newest entry about it when printed."""
    summary = inspection_summary(session, inspection)
    entry = latest_entry_about(session, inspection)
    role_names = _role_names(session)
    basis_text = basis_texts(session)
    enterprise = inspection.enterprise

    return ExamRecord(
        enterprise=enterprise.name, credit_code=enterprise.credit_code, county=enterprise.county or "",
        kind=KIND_NAMES[inspection.kind], date=inspection.local_date.isoformat(),
        team=tuple(member.user.display_name or member.user.username for member in inspection.team),
        staff=tuple((a.worker.name, role_names.get(a.worker.role_code, ""), a.worker.post, MODE_NAMES[a.mode],
                     f"{a.score:.1f}", "合格" if a.passed else "不合格") for a in summary.results),
        missed_topics=tuple(missed_topics(session, summary.results)[:8]),
        drills=tuple((run.content["title"], f"{run.score:.1f}", "合格" if run.passed else "不合格")
                     for run in summary.drills if run.status == "finished"),
        findings=tuple((f.worker.name if f.worker else "", _finding_text(f), basis_text(f.basis),
                        f.due_on.isoformat()) for f in summary.findings),
        integrity=integrity_text(entry.position, entry.hash) if entry else "")


def _finding_text(finding) -> str:
    return FINDING_NAMES[finding.kind] + (f"：{finding.detail}" if finding.detail else "")


def basis_texts(session: Session) -> Callable[[list[dict[str, str]]], str]:
    """A function citing a stored legal basis as text, e.g. 《安全生产法》第二十八条."""
    sources = {source.code: source for source in session.scalars(select(LegalSource))}

    def cite(basis: list[dict[str, str]]) -> str:
        cited = [(sources[b["source"]], b["article"]) for b in basis if b["source"] in sources]
        return "；".join(format_citation(source.short_name or source.name, source.kind, article)
                        for source, article in cited)

    return cite


def _minutes(seconds: float | None) -> str:
    return "" if seconds is None else f"{int(seconds) // 60}分{int(seconds) % 60:02d}秒"


def _local(moment) -> str:
    return moment.astimezone(LOCAL_ZONE).strftime("%H:%M:%S") if moment else ""


def drill_record(session: Session, run: DrillRun, integrity: str = "") -> DrillRecord:
    """The 演练评估表 of one drill run: steps as marked, phase ratings, score, deficiencies."""
    content, inspection = run.content, run.inspection
    result = score_drill(content, run)
    role_names = _role_names(session)
    basis_text = basis_texts(session)
    results = {(step.phase, step.step): step for step in result.steps}
    phases = []
    for phase_index, phase in enumerate(content["phases"]):
        rows = []
        for step_index, step in enumerate(phase["steps"]):
            seen = results[(phase_index, step_index)]
            rows.append(DrillStepRow(number=f"{phase_index + 1}.{step_index + 1}", action=step["action"],
                                     actor=step["actor"], critical=bool(step["critical"]),
                                     target=_minutes(step.get("target_seconds")),
                                     done_at=_minutes(seen.elapsed_seconds), mark=STEP_MARK_NAMES[seen.mark],
                                     note=seen.note))
        rating = run.phase_ratings.get(str(phase_index))
        phases.append(DrillPhaseRow(phase["name"], RATING_NAMES.get(rating, "未评定"), tuple(rows)))
    findings = session.scalars(select(Finding).where(Finding.drill_run_id == run.id).order_by(Finding.id))
    duration = (run.finished_at - run.started_at).total_seconds() if run.finished_at and run.started_at else None
    return DrillRecord(
        enterprise=inspection.enterprise.name, inspection=inspection_number(inspection),
        date=inspection.local_date.isoformat(), title=content["title"], scenario=content["scenario"],
        form=DRILL_FORMS.get(content.get("form"), ""), started=_local(run.started_at), finished=_local(run.finished_at),
        duration=_minutes(duration), evaluators=(run.examiner.display_name or run.examiner.username,),
        participants=tuple((w.name, role_names.get(w.role_code, ""), w.post) for w in run.participants),
        phases=tuple(phases), score="" if run.score is None else f"{run.score:.1f}",
        verdict="" if run.passed is None else ("合格" if run.passed else "不合格"),
        method=SCORING_METHOD,
        deficiencies=tuple((_finding_text(f), basis_text(f.basis), f.due_on.isoformat()) for f in findings),
        integrity=integrity)
