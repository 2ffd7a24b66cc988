"""The inspection's exam record (检查考核记录表): what was asked, who passed, what must be put right, signed on paper.

Labels are fixed Chinese: this is an official form, printed in Chinese whatever the UI language.
"""

from __future__ import annotations

from dataclasses import dataclass

import qrcode
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Table, TableStyle

from quizapp.pdf.layout import TEXT_WIDTH, CJKText, QrCode, build_pdf, grid_table

TITLE = "检查考核记录表"
TITLE_SIZE = 18
HEADING_SIZE = 12
BODY_SIZE = 10
SMALL_SIZE = 8
QR_SIZE = 22 * mm
NUMBER_WIDTH = 12 * mm
HEADING_ROOM = 30 * mm
NOTHING = "无"
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
    integrity: str = ""  # the audit chain position and hash once it exists
    url: str = ""  # verification URL, printed as a small QR code


def exam_record_pdf(record: ExamRecord, font: str) -> bytes:
    """The record on A4: facts, staff results, missed topics, drills, findings, then lines to sign on."""
    def heading(text: str) -> list[Flowable]:
        """A section heading, on a new page when too little room is left for it and a few rows below it."""
        return [CondPageBreak(HEADING_ROOM), CJKText(text, font, HEADING_SIZE, space_before=5 * mm)]

    def table_or(empty_text: str, header: tuple[str, ...], rows, widths: tuple[float, ...]) -> Flowable:
        """A numbered table of ``rows``, or ``empty_text`` when there are none."""
        if not rows:
            return CJKText(empty_text, font, BODY_SIZE)
        numbered = [("序号", *header), *((str(number), *row) for number, row in enumerate(rows, start=1))]
        return grid_table(numbered, [NUMBER_WIDTH, *_rest_of_width(widths, NUMBER_WIDTH)], font, BODY_SIZE,
                          header=True)

    story: list[Flowable] = [
        _title(record.url, font), _facts(record, font),
        *heading("一、人员考核情况"),
        table_or(NOTHING, ("姓名", "角色", "岗位", "考核方式", "成绩", "结论"), record.staff,
                 (24 * mm, 30 * mm, None, 20 * mm, 16 * mm, 16 * mm)),
        *heading("二、易错知识点"),
        table_or(NOTHING, ("知识点", "答错次数", "抽问次数"), record.missed_topics, (None, 22 * mm, 22 * mm)),
        *heading("三、模拟演练"),
        table_or(NO_DRILL, ("演练项目", "得分", "结论"), record.drills, (None, 22 * mm, 22 * mm)),
        *heading("四、发现的问题及整改要求"),
        table_or(NOTHING, ("人员", "问题", "依据", "整改或补考期限"), record.findings,
                 (22 * mm, None, 50 * mm, 30 * mm)),
    ]
    closing: list[Flowable] = [_signatures(font)]
    if record.integrity:
        closing.insert(0, CJKText(f"记录校验：{record.integrity}", font, SMALL_SIZE, space_before=4 * mm))
    story.append(KeepTogether(closing))
    return build_pdf(story, font, f"{record.enterprise} {TITLE}")


def _rest_of_width(widths: tuple[float | None, ...], used: float) -> list[float]:
    """``widths`` with the one ``None`` column taking whatever the others leave of the text width."""
    fixed = sum(width for width in widths if width is not None)
    return [TEXT_WIDTH - used - fixed if width is None else width for width in widths]


def _title(url: str, font: str) -> Flowable:
    """The title, centred on the page; with a URL, its QR code at the right."""
    title = CJKText(TITLE, font, TITLE_SIZE, centred=True)
    if not url:
        return title
    qr_code = QrCode(url, QR_SIZE, qrcode.constants.ERROR_CORRECT_M)
    return Table([["", title, qr_code]], colWidths=[QR_SIZE, TEXT_WIDTH - 2 * QR_SIZE, QR_SIZE],
                 style=TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                   ("FONTNAME", (0, 0), (-1, -1), font), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))


def _facts(record: ExamRecord, font: str) -> Table:
    rows = [("企业名称", record.enterprise, "", ""),
            ("统一社会信用代码", record.credit_code, "所在区县", record.county),
            ("检查类型", record.kind, "检查日期", record.date),
            ("检查人员", "、".join(record.team), "", "")]
    label_width = 34 * mm
    value_width = TEXT_WIDTH / 2 - label_width
    return grid_table(rows, [label_width, value_width] * 2, font, BODY_SIZE,
                      shaded=(((0, 0), (0, -1)), ((2, 1), (2, 2))), spans=(((1, 0), (3, 0)), ((1, 3), (3, 3))))


def _signatures(font: str) -> Table:
    """Two rows of "label: ____" pairs to sign or date by hand."""
    rows = [[cell for label in pair for cell in (f"{label}：", "")] for pair in SIGNATURES]
    label_width = 44 * mm
    line_width = TEXT_WIDTH / 2 - label_width
    style = TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), BODY_SIZE),
                        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("TOPPADDING", (0, 0), (-1, -1), 8 * mm),
                        ("LINEBELOW", (1, 0), (1, -1), 0.5, "black"), ("LINEBELOW", (3, 0), (3, -1), 0.5, "black")])
    return Table(rows, colWidths=[label_width, line_width] * 2, style=style, spaceBefore=6 * mm)
