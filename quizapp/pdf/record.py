"""The inspection's exam record (检查考核记录表): what was asked, who passed, what must be put right, signed on paper.

Labels are fixed Chinese: this is an official form, printed in Chinese whatever the UI language.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table

from quizapp.pdf.layout import build_pdf, facts_table, numbered_table, record_title, section_heading, signed_closing

TITLE = "检查考核记录表"
NO_DRILL = "本次未开展演练"
SIGNATURES = (("检查人员（签名）", "检查人员（签名）"), ("企业负责人或代表（签名）", "日期"))


@dataclass(frozen=True)
class ExamRecord:
    enterprise: str
    credit_code: str
    county: str
    kind: str
    date: str
    team: tuple[str, ...]
    staff: tuple[tuple[str, str, str, str, str, str], ...]  # name, role, post, mode, score text, 合格/不合格
    missed_topics: tuple[tuple[str, int, int], ...]  # topic, times missed, times asked; most missed first
    drills: tuple[tuple[str, str, str], ...]  # drill, score text, verdict
    findings: tuple[tuple[str, str, str, str], ...]  # worker, finding, legal basis, due date
    integrity: str = ""  # the newest audit entry about the inspection (see ``integrity_text``), to check it against
    url: str = ""  # verification URL, printed as a small QR code


def integrity_text(position: int, digest: str) -> str:
    """The audit trail's entry as printed: ``quizapp audit show`` and ``quizapp audit verify`` check it later."""
    return f"审计链第 {position} 条 SHA-256 {digest}"


def exam_record_pdf(record: ExamRecord, font: str) -> bytes:
    """The record on A4: facts, staff results, missed topics, drills, findings, then lines to sign on."""
    story: list[Flowable] = [
        record_title(TITLE, font, record.url), _facts(record, font),
        *section_heading("一、人员考核情况", font),
        numbered_table(("姓名", "角色", "岗位", "考核方式", "成绩", "结论"), record.staff,
                       (24 * mm, 30 * mm, None, 20 * mm, 16 * mm, 16 * mm), font),
        *section_heading("二、易错知识点", font),
        numbered_table(("知识点", "答错次数", "抽问次数"), record.missed_topics, (None, 22 * mm, 22 * mm), font),
        *section_heading("三、模拟演练", font),
        numbered_table(("演练项目", "得分", "结论"), record.drills, (None, 22 * mm, 22 * mm), font,
                       empty_text=NO_DRILL),
        *section_heading("四、发现的问题及整改要求", font),
        numbered_table(("人员", "问题", "依据", "整改或补考期限"), record.findings,
                       (22 * mm, None, 50 * mm, 30 * mm), font),
        signed_closing(SIGNATURES, record.integrity, font),
    ]
    return build_pdf(story, font, f"{record.enterprise} {TITLE}")


def _facts(record: ExamRecord, font: str) -> Table:
    return facts_table([("企业名称", record.enterprise),
                        ("统一社会信用代码", record.credit_code, "所在区县", record.county),
                        ("检查类型", record.kind, "检查日期", record.date),
                        ("检查人员", "、".join(record.team))], font)
