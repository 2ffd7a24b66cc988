"""一企一档: one enterprise's file on A4 — its facts, its staff, its inspections and results, weak topics,
findings and how they were put right, and its drills — from the same analytics as the review pages.

Labels are fixed Chinese, as on the other printed forms. Staff appear by name only, masked unless the caller asks
otherwise (``shown_name``, as for the exports): no ID-card number, no phone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Flowable
from sqlalchemy import select
from sqlalchemy.orm import Session

from quizapp.analytics.enterprise import inspection_rows, latest_results, pass_rates, reexams_due, topic_accuracy
from quizapp.analytics.exports import Names, finished_drills, standing_findings
from quizapp.exam.personal_data import mask_name
from quizapp.exam.rectification import rectification_state
from quizapp.exam.roster import roster_checks
from quizapp.models import Enterprise, Finding, Industry, Role
from quizapp.pdf.documents import FINDING_NAMES, KIND_NAMES, basis_texts
from quizapp.pdf.layout import (
    SectionStart,
    build_pdf,
    facts_table,
    numbered_table,
    record_title,
    section_heading,
)

TITLE = "一企一档"
WEAK_TOPICS_SHOWN = 10
CERTIFICATE_NAMES = {"valid": "有效", "review_due_soon": "临近复审", "review_overdue": "逾期未复审",
                     "expired": "已过期"}
RECTIFICATION_NAMES = {"open": "待整改", "sent_back": "已退回重改", "awaiting_verification": "已整改，待核实",
                       "verified": "已核实"}
REEXAM_PENDING, REEXAM_PASSED = "待补考", "已补考合格"
NO_CERTIFICATE = "无证"
NOT_EXAMINED = "尚未考核"


def _verdict(passed: bool | None) -> str:
    return "合格" if passed else "不合格"


@dataclass(frozen=True)
class EnterpriseFile:
    name: str
    credit_code: str
    county: str
    address: str
    industries: str
    printed_on: str
    roles: tuple[tuple[str, ...], ...]  # role, staff, certificates valid, due soon, overdue or expired, none held
    staff: tuple[tuple[str, ...], ...]  # name, role, post, certificates
    inspections: tuple[tuple[str, ...], ...]  # date, kind, examined, passed, findings
    pass_rates: tuple[tuple[str, ...], ...]  # quarter, examined, passed, rate
    results: tuple[tuple[str, ...], ...]  # name, role, date, score, verdict
    weak_topics: tuple[tuple[str, ...], ...]  # topic, answers, share of points
    findings: tuple[tuple[str, ...], ...]  # found on, worker, finding, basis, due, rectification
    reexams: tuple[tuple[str, ...], ...]  # name, role, failed on, due (overdue)
    drills: tuple[tuple[str, ...], ...]  # date, drill, score, verdict


def enterprise_file(session: Session, enterprise: Enterprise, today: date,
                    shown_name: Names = mask_name) -> EnterpriseFile:
    """Everything the file prints, gathered by the review's analytics functions."""
    role_names = dict(session.execute(select(Role.code, Role.name).order_by(Role.position)).all())
    industry_names = dict(session.execute(select(Industry.code, Industry.name)).all())
    checks = roster_checks(enterprise.workers, today)
    by_role: dict[str, Counter[str]] = {}
    staff = []
    for worker in enterprise.workers:
        counts = by_role.setdefault(worker.role_code, Counter())
        counts["staff"] += 1
        states = [checks[certificate.id].state.value for certificate in worker.certificates]
        for state in states:
            counts[state] += 1
        if worker.required_category and not states:
            counts["none"] += 1
        certificates = "；".join(f"{certificate.number}（{CERTIFICATE_NAMES[state]}）"
                                for certificate, state in zip(worker.certificates, states, strict=True))
        staff.append((shown_name(worker.name), role_names.get(worker.role_code, worker.role_code), worker.post,
                      certificates or (NO_CERTIFICATE if worker.required_category else "")))
    ordered_roles = [code for code in role_names if code in by_role] + sorted(set(by_role) - set(role_names))
    roles = tuple((role_names.get(code, code), str(by_role[code]["staff"]), str(by_role[code]["valid"]),
                   str(by_role[code]["review_due_soon"]),
                   str(by_role[code]["review_overdue"] + by_role[code]["expired"]), str(by_role[code]["none"]))
                  for code in ordered_roles)

    rows = inspection_rows(session, enterprise.id)
    report = topic_accuracy(session, enterprise.id)
    cite = basis_texts(session)
    reexams = reexams_due(session, enterprise.id, today)
    awaiting_reexam = {due.worker for due in reexams}

    def rectification(finding: Finding) -> str:
        """Where putting the finding right stands; a failed exam stands until the worker passes (by name, as the
        re-exam list goes)."""
        state = rectification_state(finding)
        if state == "reexam":
            return REEXAM_PENDING if finding.worker and finding.worker.name in awaiting_reexam else REEXAM_PASSED
        return RECTIFICATION_NAMES[state] + (f"：{finding.rectification_note}" if finding.rectification_note else "")

    return EnterpriseFile(
        name=enterprise.name, credit_code=enterprise.credit_code, county=enterprise.county or "",
        address=enterprise.address or "",
        industries="、".join(industry_names.get(code, code) for code in enterprise.industry_codes),
        printed_on=today.isoformat(), roles=roles, staff=tuple(staff),
        inspections=tuple((row.inspection.local_date.isoformat(), KIND_NAMES[row.inspection.kind],
                           str(row.examined), str(row.passed), str(row.findings)) for row in rows),
        pass_rates=tuple((rate.period, str(rate.examined), str(rate.passed), f"{rate.rate * 100:.0f}%")
                         for rate in pass_rates(rows, "quarter")),
        results=tuple((shown_name(result.worker), result.role, result.day.isoformat(), f"{result.score:.1f}",
                       _verdict(result.passed)) for result in latest_results(session, enterprise.id)),
        weak_topics=tuple((topic.name, str(topic.figures.overall.answers), f"{topic.figures.overall.rate * 100:.0f}%")
                          for topic in report.topics[:WEAK_TOPICS_SHOWN]),
        findings=tuple((finding.inspection.local_date.isoformat(),
                        shown_name(finding.worker.name) if finding.worker else "",
                        FINDING_NAMES[finding.kind] + (f"：{finding.detail}" if finding.detail else ""),
                        cite(finding.basis), finding.due_on.isoformat(), rectification(finding))
                       for finding in standing_findings(session, enterprise.id)),
        reexams=tuple((shown_name(due.worker), due.role, due.failed_on.isoformat(),
                       due.due_on.isoformat() + ("（已逾期）" if due.overdue else ""))
                      for due in reexams),
        drills=tuple((run.inspection.local_date.isoformat(), run.content["title"], f"{run.score:.1f}",
                      _verdict(run.passed)) for run in finished_drills(session, enterprise.id)))


def enterprise_file_pdf(file: EnterpriseFile, font: str) -> bytes:
    """The file on A4, its pages numbered "第 x 页 / 共 y 页" with the enterprise's name in the footer."""
    story: list[Flowable] = [
        SectionStart(f"{file.name} {TITLE}"), record_title(TITLE, font),
        facts_table([("企业名称", file.name), ("统一社会信用代码", file.credit_code, "所在区县", file.county),
                     ("地址", file.address), ("所属行业", file.industries, "生成日期", file.printed_on)], font),
        *section_heading("一、人员及持证情况", font),
        numbered_table(("岗位类别", "人数", "证书有效", "临近复审", "逾期或过期", "应持证未持证"), file.roles,
                       (None, 18 * mm, 20 * mm, 20 * mm, 22 * mm, 26 * mm), font),
        *section_heading("二、人员名单", font),
        numbered_table(("姓名", "岗位类别", "岗位", "特种作业操作证"), file.staff,
                       (24 * mm, 32 * mm, 30 * mm, None), font),
        *section_heading("三、检查记录", font),
        numbered_table(("检查日期", "检查类型", "考核人数", "合格人数", "发现问题"), file.inspections,
                       (None, 30 * mm, 22 * mm, 22 * mm, 22 * mm), font),
        *section_heading("四、各季度考核合格率", font),
        numbered_table(("季度", "考核人数", "合格人数", "合格率"), file.pass_rates,
                       (None, 26 * mm, 26 * mm, 26 * mm), font),
        *section_heading("五、人员最近一次考核结果", font),
        numbered_table(("姓名", "岗位类别", "考核日期", "成绩", "结论"), file.results,
                       (None, 36 * mm, 26 * mm, 18 * mm, 18 * mm), font, empty_text=NOT_EXAMINED),
        *section_heading("六、薄弱知识点", font),
        numbered_table(("知识点", "作答次数", "得分率"), file.weak_topics, (None, 22 * mm, 22 * mm), font,
                       empty_text=NOT_EXAMINED),
        *section_heading("七、发现的问题及整改情况", font),
        numbered_table(("发现日期", "人员", "问题", "依据", "期限", "整改情况"), file.findings,
                       (20 * mm, 16 * mm, None, 36 * mm, 20 * mm, 32 * mm), font),
        *section_heading("八、待补考人员", font),
        numbered_table(("姓名", "岗位类别", "未通过日期", "补考期限"), file.reexams,
                       (None, 36 * mm, 26 * mm, 36 * mm), font),
        *section_heading("九、应急演练", font),
        numbered_table(("演练日期", "演练项目", "得分", "结论"), file.drills,
                       (22 * mm, None, 18 * mm, 18 * mm), font, empty_text="尚无演练评估记录"),
    ]
    return build_pdf(story, font, f"{file.name} {TITLE}")
