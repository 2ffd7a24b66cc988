"""Paper quiz sheets (现场考试卷) for workers examined without a tablet, and the inspector's answer key.

Each sheet carries a QR code of its verification URL, so the filled-in paper can be matched to its
frozen question list later. Labels are fixed Chinese: these are official forms, whatever the UI language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from string import ascii_uppercase

import qrcode
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Table, TableStyle

from quizapp.pdf.layout import TEXT_WIDTH, CJKText, QrCode, SectionStart, build_pdf, grid_table

TYPE_LABELS = {"single": "单选题", "multiple": "多选题", "judge": "判断题", "fill": "填空题", "oral": "口述题",
               "practical": "手指口述"}
INSTRUCTIONS = "答题说明：在所选答案前的方框内打“√”；填空题在横线上作答；口述题和手指口述由检查人员记录评分。"
ORAL_NOTE = "（口述作答，由检查人员评分）"
PRACTICAL_NOTE = "（现场手指口述，由检查人员逐步勾选）"
STEP_BOXES = "□完成　□顺序错　□漏做"
TITLE_SIZE = 16
BODY_SIZE = 10.5
SMALL_SIZE = 9
ITEM_GAP = 3 * mm
INDENT = 2 * BODY_SIZE
QR_SIZE = 28 * mm
NOTE_LINES = 3
NOTE_LINE_GAP = 8 * mm
STEP_BOXES_WIDTH = 50 * mm
ANSWERS_PER_ROW = 3


@dataclass(frozen=True)
class SheetItem:
    number: int  # 1-based, as printed
    type: str  # single | multiple | judge | fill | oral | practical
    stem: str  # blanks of fill stems are runs of three or more underscores
    options: tuple[str, ...] = ()  # in the paper's order, lettered A, B, C …
    blanks: int = 0
    key_points: tuple[str, ...] = ()  # oral: for the examiner only, never printed on the worker's sheet
    steps: tuple[tuple[str, bool], ...] = ()  # practical: (text, critical)


@dataclass(frozen=True)
class SheetHeader:
    title: str
    enterprise: str
    inspection: str  # "" before a visit: printed as a line to fill in, like every empty field
    worker: str
    role: str
    post: str
    date: str
    inspector: str
    sheet_id: str  # short id printed in the footer
    url: str  # the verification URL in the QR code


@dataclass(frozen=True)
class Sheet:
    header: SheetHeader
    items: tuple[SheetItem, ...]


def quiz_sheets_pdf(sheets: Sequence[Sheet], font: str) -> bytes:
    """One PDF of worker sheets; each starts on a new page and numbers its pages from 1 in the footer."""
    story: list[Flowable] = []
    for sheet in sheets:
        if story:
            story.append(PageBreak())
        story += [SectionStart(f"试卷编号 {sheet.header.sheet_id}"), *_header(sheet.header, font),
                  CJKText(INSTRUCTIONS, font, SMALL_SIZE, space_before=2 * mm)]
        story += [_question(item, font) for item in sheet.items]
    return build_pdf(story, font, sheets[0].header.title if sheets else "")


def answer_key_pdf(keys: Sequence[tuple[SheetHeader, Sequence[str]]], font: str) -> bytes:
    """The examiner's key: per sheet, its identification and item number → answer (formatted by the caller)."""
    story: list[Flowable] = [CJKText("参考答案", font, TITLE_SIZE, centred=True),
                             CJKText("（检查人员留存，请勿交给受检人员）", font, SMALL_SIZE, centred=True)]
    for header, answers in keys:
        heading = "　".join(filter(None, (f"试卷编号 {header.sheet_id}", header.enterprise, header.role,
                                          header.worker)))
        story.append(KeepTogether([CJKText(heading, font, BODY_SIZE, space_before=5 * mm),
                                   _answer_table(answers, font)]))
    return build_pdf(story, font, "参考答案")


def _answer_table(answers: Sequence[str], font: str) -> Table:
    """Numbers and answers side by side, ``ANSWERS_PER_ROW`` pairs a row, read left to right."""
    pairs = [(str(number), answer) for number, answer in enumerate(answers, start=1)]
    pairs += [("", "")] * (-len(pairs) % ANSWERS_PER_ROW)
    rows = [[cell for pair in pairs[start:start + ANSWERS_PER_ROW] for cell in pair]
            for start in range(0, len(pairs), ANSWERS_PER_ROW)]
    number_width = 10 * mm
    answer_width = TEXT_WIDTH / ANSWERS_PER_ROW - number_width
    return grid_table(rows, [number_width, answer_width] * ANSWERS_PER_ROW, font, BODY_SIZE,
                      shaded=[((column, 0), (column, -1)) for column in range(0, 2 * ANSWERS_PER_ROW, 2)])


def _header(header: SheetHeader, font: str) -> list[Flowable]:
    """The title, then the header fields on lines to write on, with the QR code at the top right."""
    def value(text: str) -> CJKText:
        return CJKText(text, font, BODY_SIZE)

    rows = [["企业", value(header.enterprise), "", "", QrCode(header.url, QR_SIZE, qrcode.constants.ERROR_CORRECT_M)],
            ["检查编号", value(header.inspection), "日期", value(header.date), ""],
            ["姓名", value(header.worker), "岗位", value(header.post), ""],
            ["角色", value(header.role), "检查人员", value(header.inspector), ""]]
    label_width = 18 * mm
    value_width = (TEXT_WIDTH - QR_SIZE - 2 * label_width) / 2
    qr_column = ((4, 0), (4, -1))
    style = TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), BODY_SIZE),
                        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("SPAN", (1, 0), (3, 0)),
                        ("LINEBELOW", (1, 0), (3, 0), 0.5, "black"), ("LINEBELOW", (1, 1), (1, -1), 0.5, "black"),
                        ("LINEBELOW", (3, 1), (3, -1), 0.5, "black"), ("SPAN", *qr_column),
                        ("VALIGN", *qr_column, "TOP"), ("ALIGN", *qr_column, "RIGHT"),
                        ("LEFTPADDING", (0, 0), (0, -1), 0), ("LEFTPADDING", *qr_column, 0),
                        ("RIGHTPADDING", *qr_column, 0)])
    fields = Table(rows, colWidths=[label_width, value_width, label_width, value_width, QR_SIZE], style=style)
    return [CJKText(header.title, font, TITLE_SIZE, centred=True), fields]


def _question(item: SheetItem, font: str) -> KeepTogether:
    """The stem, then the lettered options and the place to answer, kept together on one page.

    The options and the answer boxes are one block of lines: one flowable instead of five keeps platypus quick.
    """
    stem = CJKText(f"{item.number}.【{TYPE_LABELS[item.type]}】{item.stem}", font, BODY_SIZE, space_before=ITEM_GAP)
    letters = ascii_uppercase[:len(item.options)]
    lines = [f"{letter}. {option}" for letter, option in zip(letters, item.options, strict=True)]
    if item.type in ("single", "multiple"):
        lines.append(_answer_boxes(letters))
    elif item.type == "judge":
        lines.append(_answer_boxes(("正确", "错误")))
    parts: list[Flowable] = [stem]
    if lines:
        parts.append(CJKText("\n".join(lines), font, BODY_SIZE, indent=INDENT))
    if item.type == "oral":
        parts += [CJKText(ORAL_NOTE, font, SMALL_SIZE, indent=INDENT), _RuledLines(NOTE_LINES, INDENT)]
    elif item.type == "practical":
        parts += [CJKText(PRACTICAL_NOTE, font, SMALL_SIZE, indent=INDENT), _steps_table(item.steps, font)]
    return KeepTogether(parts)


def _answer_boxes(choices: Sequence[str]) -> str:
    return "作答：" + "　　".join(f"□{choice}" for choice in choices)


def _steps_table(steps: Sequence[tuple[str, bool]], font: str) -> Table:
    """One row per step: its text (critical steps marked) and the boxes the examiner ticks."""
    rows = [[CJKText(f"{number}. {text}{'【关键】' if critical else ''}", font, BODY_SIZE), STEP_BOXES]
            for number, (text, critical) in enumerate(steps, start=1)]
    style = TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), BODY_SIZE),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, -1), 0),
                        ("LINEBELOW", (0, 0), (-1, -1), 0.25, "grey")])
    table = Table(rows, colWidths=[TEXT_WIDTH - INDENT - STEP_BOXES_WIDTH, STEP_BOXES_WIDTH], style=style)
    table.hAlign = "RIGHT"
    return table


class _RuledLines(Flowable):
    """Empty ruled lines for the examiner's notes on an oral answer."""

    def __init__(self, count: int, indent: float):
        super().__init__()
        self.count, self.indent = count, indent

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        return availWidth, self.count * NOTE_LINE_GAP

    def draw(self):
        self.canv.setLineWidth(0.4)
        for line in range(self.count):
            self.canv.line(self.indent, line * NOTE_LINE_GAP, self.width, line * NOTE_LINE_GAP)
