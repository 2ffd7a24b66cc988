"""The drill evaluation record (模拟演练评估表): how each phase of a drill went, step by step, signed on paper.

Labels are fixed Chinese: this is an official form, printed in Chinese whatever the UI language.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from quizapp.pdf.layout import (
    NOTHING,
    RECORD_BODY_SIZE,
    RECORD_SMALL_SIZE,
    CJKText,
    build_pdf,
    facts_table,
    filled_widths,
    grid_table,
    numbered_table,
    record_title,
    section_heading,
    signed_closing,
)

TITLE = "模拟演练评估表"
SIGNATURES = (("评估人员（签名）", "评估人员（签名）"), ("企业负责人或代表（签名）", "日期"))
STEP_HEADER = ("序号", "动作", "执行人", "关键", "目标用时", "实际用时", "结果", "备注")
STEP_WIDTHS = (12 * mm, None, 20 * mm, 12 * mm, 19 * mm, 19 * mm, 15 * mm, 28 * mm)
# √ rather than ✓: GB 2312 fonts such as WenQuanYi have no ✓ and would print nothing.
CRITICAL_TICK = "√"
MISSED = "漏做"
# A missed critical step must stand out on a black-and-white printout: a marker, a heavy frame and a grey row.
MISSED_CRITICAL_MARKER = "▲"
MISSED_CRITICAL_FRAME = 1.5
MISSED_CRITICAL_SHADE = HexColor("#d9d9d9")
LEGEND = f"关键栏“{CRITICAL_TICK}”为关键步骤；结果栏“{MISSED_CRITICAL_MARKER}”且加粗框的行为漏做的关键步骤。"
PHASE_HEADING_SIZE = RECORD_BODY_SIZE + 1


@dataclass(frozen=True)
class DrillStepRow:
    number: str  # "1.2": phase, then step within it
    action: str
    actor: str
    critical: bool
    target: str  # "3分00秒", or "" without a time limit
    done_at: str  # elapsed time when performed, "2分41秒", or "" when not performed
    mark: str  # 完成 / 超时 / 错误 / 漏做 / 未记录
    note: str

    @property
    def missed_critical(self) -> bool:
        return self.critical and self.mark == MISSED


@dataclass(frozen=True)
class DrillPhaseRow:
    name: str
    rating: str  # "P 顺利完成" / "S 有一些困难" / "M 有重大困难" / "U 未能完成" / "未评定"
    steps: tuple[DrillStepRow, ...]


@dataclass(frozen=True)
class DrillRecord:
    enterprise: str
    inspection: str  # the inspection's number
    date: str
    title: str
    scenario: str
    form: str  # 实战演练 / 桌面演练
    started: str  # local times
    finished: str
    duration: str  # "12分30秒"
    evaluators: tuple[str, ...]
    participants: tuple[tuple[str, str, str], ...]  # name, role, post
    phases: tuple[DrillPhaseRow, ...]
    score: str  # "78.5"
    verdict: str  # 合格 / 不合格
    method: str  # one paragraph: how the score was computed
    deficiencies: tuple[tuple[str, str, str], ...]  # deficiency, legal basis, due date
    integrity: str = ""  # the audit chain position and hash once it exists


def drill_record_pdf(record: DrillRecord, font: str) -> bytes:
    """The record on A4: facts, scenario, participants, each phase's steps, the score, deficiencies, lines to sign."""
    story: list[Flowable] = [
        record_title(TITLE, font), _facts(record, font),
        *section_heading("一、演练情景", font),
        CJKText(record.scenario or NOTHING, font, RECORD_BODY_SIZE),
        *section_heading("二、参演人员", font),
        numbered_table(("姓名", "角色", "岗位"), record.participants, (30 * mm, 45 * mm, None), font),
        *section_heading("三、演练过程及评定", font),
        CJKText(LEGEND, font, RECORD_SMALL_SIZE),
    ]
    for number, phase in enumerate(record.phases, start=1):
        story += [*section_heading(f"阶段 {number}：{phase.name}　　评定：{phase.rating}", font, PHASE_HEADING_SIZE),
                  _steps_table(phase.steps, font)]
    story += [
        *section_heading("四、评分", font),
        facts_table([("得分", record.score, "结论", record.verdict)], font),
        CJKText(f"评分方法：{record.method}", font, RECORD_BODY_SIZE, space_before=2 * mm),
        *section_heading("五、发现的问题及整改要求", font),
        numbered_table(("问题", "依据", "整改期限"), record.deficiencies, (None, 50 * mm, 28 * mm), font),
        signed_closing(SIGNATURES, record.integrity, font),
    ]
    return build_pdf(story, font, f"{record.enterprise} {TITLE}")


def _facts(record: DrillRecord, font: str) -> Flowable:
    return facts_table([("企业名称", record.enterprise),
                        ("检查编号", record.inspection, "演练日期", record.date),
                        ("演练项目", record.title),
                        ("演练形式", record.form, "演练用时", record.duration),
                        ("开始时间", record.started, "结束时间", record.finished),
                        ("评估人员", "、".join(record.evaluators))], font)


def _steps_table(steps: tuple[DrillStepRow, ...], font: str) -> Flowable:
    """The phase's steps under a header that repeats on every page, missed critical steps framed and marked."""
    if not steps:
        return CJKText(NOTHING, font, RECORD_BODY_SIZE)
    rows = [STEP_HEADER, *((step.number, step.action, step.actor, CRITICAL_TICK if step.critical else "",
                            step.target, step.done_at,
                            f"{MISSED_CRITICAL_MARKER}{step.mark}" if step.missed_critical else step.mark, step.note)
                           for step in steps)]
    table = grid_table(rows, filled_widths(STEP_WIDTHS), font, RECORD_BODY_SIZE, header=True)
    missed_rows = [row for row, step in enumerate(steps, start=1) if step.missed_critical]
    table.setStyle([command for row in missed_rows
                    for command in (("BACKGROUND", (0, row), (-1, row), MISSED_CRITICAL_SHADE),
                                    ("BOX", (0, row), (-1, row), MISSED_CRITICAL_FRAME, "black"))])
    return table
