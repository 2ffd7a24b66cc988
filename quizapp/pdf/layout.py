"""Building blocks of the printed A4 forms: Chinese line breaking, vector QR codes, tables, per-section footers,
and the parts the signed record forms (检查考核记录表, 演练评估表) share, so that they look alike.

reportlab's own CJK wrapping (``wordWrap="CJK"``) breaks between any two characters and lets a line start
with ``，`` or ``；`` and end with ``（``, which Chinese readers take for a misprint. ``CJKText`` breaks by the
usual rules (禁则) instead, and measures each character once per font size rather than on every wrap call.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import cache, partial
from io import BytesIO

import qrcode
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Table,
    TableStyle,
)

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
FOOTER_BASELINE = 10 * mm
FOOTER_SIZE = 9
BODY_TOP_MARGIN = 15 * mm
BODY_BOTTOM = FOOTER_BASELINE + 8 * mm
LABEL_SHADE = HexColor("#eeeeee")
RECORD_TITLE_SIZE = 18
RECORD_HEADING_SIZE = 12
RECORD_BODY_SIZE = 10
RECORD_SMALL_SIZE = 8
RECORD_QR_SIZE = 22 * mm
NUMBER_WIDTH = 12 * mm
FACT_LABEL_WIDTH = 34 * mm
SIGNATURE_LABEL_WIDTH = 44 * mm
HEADING_ROOM = 30 * mm
NOTHING = "无"

# Punctuation that may not begin a line (closing marks, pauses, stops) or end one (opening marks).
NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉］｝”’…—·％‰℃,.;:?!)]}%")
NO_LINE_END = frozenset("（《「『【〔〈［｛“‘([{￥$")
# A run of three or more underscores is a blank to write in (the bank's fill-in syntax).
BLANK_MIN_EMS = 4
# Tokens: a blank; white space; a run of Latin letters, digits and signs (never broken inside); any other character.
TOKEN = re.compile(r"_{3,}|\s+|[^\s_\u2e80-\uffff]+|.")

Piece = tuple[str | None, float]  # text, or None for a blank line to write on; width in points
Line = tuple[Piece, ...]
Corners = tuple[tuple[int, int], tuple[int, int]]


def break_lines(text: str, font: str, size: float, width: float) -> list[Line]:
    """``text`` broken into lines of at most ``width`` points; explicit newlines are kept.

    No line starts with a closing mark or ends with an opening one: such a mark travels with its
    neighbouring character. Only a word wider than a whole line is cut, between any two characters.
    """
    measure = _measure(font, size)
    lines: list[Line] = []
    for paragraph in text.split("\n"):
        stripped = paragraph.strip()
        if "___" not in stripped:  # most options and answers fit on one line: nothing to break
            stripped_width = measure.text_width(stripped)
            if stripped_width <= width:
                lines.append(((stripped, stripped_width),) if stripped else ())
                continue
        lines.extend(_fill_lines(_pieces(paragraph, measure, width), width))
    return lines


class _CharacterWidths(dict):
    """Width in points of each character, looked up in the font's metrics on first use."""

    def __init__(self, font: str, size: float):
        super().__init__()
        face = pdfmetrics.getFont(font).face
        self.em_widths, self.default_width, self.scale = face.charWidths, face.defaultWidth, size / 1000

    def __missing__(self, character: str) -> float:
        width = self[character] = self.em_widths.get(ord(character), self.default_width) * self.scale
        return width


class _Measure(dict):
    """``measure[token]`` is the token's piece in one font and size; single characters are remembered.

    A blank is at least ``BLANK_MIN_EMS`` wide, however few underscores it was written with.
    """

    def __init__(self, font: str, size: float):
        super().__init__()
        self.size = size
        self.character_widths = _CharacterWidths(font, size)

    def __missing__(self, token: str) -> Piece:
        if token.startswith("___"):
            return None, max(BLANK_MIN_EMS, len(token) / 2) * self.size
        piece = token, self.text_width(token)
        if len(token) == 1:
            self[token] = piece
        return piece

    def text_width(self, text: str) -> float:
        return sum(map(self.character_widths.__getitem__, text))


@cache
def _measure(font: str, size: float) -> _Measure:
    return _Measure(font, size)


def _pieces(paragraph: str, measure: _Measure, width: float) -> list[Piece]:
    """The paragraph's tokens with their widths; a word wider than a line becomes one piece per character."""
    pieces = list(map(measure.__getitem__, TOKEN.findall(paragraph)))
    if all(piece_width <= width for _, piece_width in pieces):
        return pieces
    cut: list[Piece] = []
    for text, piece_width in pieces:
        if text and piece_width > width:
            cut.extend(map(measure.__getitem__, text))
        else:
            cut.append((text, piece_width))
    return cut


def _may_break_between(before: Piece, after: Piece) -> bool:
    return not ((after[0] is not None and after[0][0] in NO_LINE_START)
                or (before[0] is not None and before[0][-1] in NO_LINE_END))


def _is_space(piece: Piece) -> bool:
    return piece[0] is not None and piece[0].isspace()


def _fill_lines(pieces: list[Piece], width: float) -> list[Line]:
    """Greedy filling: when a piece overflows, the line ends at the last place the rules allow a break
    (or at the overflow, if they allow none); white space at either end of a line is dropped."""
    lines: list[Line] = []
    start = used = 0
    while start < len(pieces) and _is_space(pieces[start]):
        start += 1
    index = start
    while index < len(pieces):
        used += pieces[index][1]
        if used <= width + 0.01 or index == start:
            index += 1
            continue
        end = next((before for before in range(index, start, -1)
                    if _may_break_between(pieces[before - 1], pieces[before])), index)
        lines.append(_joined(pieces[start:end]))
        start, used = end, 0
        while start < len(pieces) and _is_space(pieces[start]):
            start += 1
        index = start
    lines.append(_joined(pieces[start:]))
    return lines


def _joined(line: list[Piece]) -> Line:
    """Adjacent text pieces merged, so that a line is drawn with as few strings as possible; trailing space dropped."""
    while line and _is_space(line[-1]):
        line.pop()
    merged: list[Piece] = []
    for text, width in line:
        if merged and text is not None and merged[-1][0] is not None:
            merged[-1] = (merged[-1][0] + text, merged[-1][1] + width)
        else:
            merged.append((text, width))
    return tuple(merged)


class CJKText(Flowable):
    """A block of text broken by ``break_lines``, left-aligned or centred (blanks as lines to write on).

    The lines are kept for the width they were broken for: platypus wraps a flowable several times
    (KeepTogether, tables, the frame) and they would otherwise be measured again each time.
    """

    def __init__(self, text: str, font: str, size: float, *, leading: float | None = None, indent: float = 0,
                 centred: bool = False, space_before: float = 0):
        super().__init__()
        self.text, self.font, self.size = text, font, size
        self.leading = leading or size * 1.45
        self.indent = indent
        self.centred = centred
        self.hAlign = "CENTER" if centred else "LEFT"
        self.spaceBefore = space_before
        self._lines: list[Line] = []
        self._broken_for: float | None = None

    def wrap(self, availWidth, availHeight):
        if self._broken_for != availWidth:
            self._lines = break_lines(self.text, self.font, self.size, availWidth - self.indent)
            self._broken_for = availWidth
        self.width = self.indent + max((_line_width(line) for line in self._lines), default=0)
        self.height = len(self._lines) * self.leading
        return self.width, self.height

    def split(self, availWidth, availHeight):
        """Split between lines: only a text longer than a page ever needs it."""
        self.wrap(availWidth, availHeight)
        fitting = int(availHeight // self.leading)
        if fitting < 1:
            return []
        if fitting >= len(self._lines):
            return [self]
        return [self._part(self._lines[:fitting], self.spaceBefore), self._part(self._lines[fitting:], 0)]

    def _part(self, lines: list[Line], space_before: float) -> CJKText:
        """A new flowable (platypus marks the ones it postponed) holding ``lines``, as text that breaks the same way."""
        text = "\n".join("".join("_" * round(2 * width / self.size) if text is None else text for text, width in line)
                         for line in lines)
        part = CJKText(text, self.font, self.size, leading=self.leading, indent=self.indent, centred=self.centred,
                       space_before=space_before)
        part._lines, part._broken_for = lines, self._broken_for
        return part

    def draw(self):
        """All lines in one PDF text object (cheaper than a string each), then the blanks as one set of lines."""
        strings = self.canv.beginText()
        strings.setFont(self.font, self.size)
        blanks = []
        # The em box is centred in the line's height; the baseline sits an eighth of an em above its bottom.
        baseline = self.height - (self.leading + self.size) / 2 + self.size / 8
        for line in self._lines:
            x = self.indent + ((self.width - self.indent - _line_width(line)) / 2 if self.centred else 0)
            for text, width in line:
                if text is None:
                    blanks.append((x, baseline - 1.5, x + width, baseline - 1.5))
                else:
                    strings.setTextOrigin(x, baseline)
                    strings.textOut(text)
                x += width
            baseline -= self.leading
        self.canv.drawText(strings)
        if blanks:
            self.canv.setLineWidth(0.5)
            self.canv.lines(blanks)


def _line_width(line: Line) -> float:
    return sum(width for _, width in line)


def draw_qr_code(canvas: Canvas, url: str, x: float, y: float, size: float,
                 error_correction: int = qrcode.constants.ERROR_CORRECT_Q) -> None:
    """Draw the QR code as vector squares in one path: sharp at any print size, unlike a scaled bitmap.

    The matrix includes the four-module quiet zone that scanners need.
    """
    code = qrcode.QRCode(error_correction=error_correction, border=4)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    module = size / len(matrix)
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * module
        for first, length in _dark_runs(row):
            path.rect(x + first * module, top, length * module, module)
    canvas.drawPath(path, stroke=0, fill=1)


def _dark_runs(row: Sequence[bool]) -> list[tuple[int, int]]:
    """(first column, length) of each run of dark modules: one rectangle per run keeps the path short."""
    runs = []
    first = None
    for column, dark in enumerate([*row, False]):
        if dark and first is None:
            first = column
        elif not dark and first is not None:
            runs.append((first, column - first))
            first = None
    return runs


class QrCode(Flowable):
    """A square QR code of ``url``, ``size`` points wide, quiet zone included."""

    def __init__(self, url: str, size: float, error_correction: int):
        super().__init__()
        self.url, self.size, self.error_correction = url, size, error_correction

    def wrap(self, availWidth, availHeight):
        return self.size, self.size

    def draw(self):
        draw_qr_code(self.canv, self.url, 0, 0, self.size, self.error_correction)


def grid_table(rows: Sequence[Sequence[str]], column_widths: Sequence[float], font: str, size: float, *,
               header: bool = False, shaded: Sequence[Corners] = (), spans: Sequence[Corners] = ()) -> Table:
    """A ruled table whose cells wrap by ``break_lines``; a header row is shaded and repeated on every page.

    ``shaded`` and ``spans`` are (first cell, last cell) ranges of (column, row), as in reportlab's table styles.
    """
    cells = [[CJKText(str(value), font, size, leading=size * 1.3) for value in row] for row in rows]
    style = [("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("FONTNAME", (0, 0), (-1, -1), font),  # else reportlab's Helvetica would be put in the file
             *(("BACKGROUND", *corners, LABEL_SHADE) for corners in shaded),
             *(("SPAN", *corners) for corners in spans)]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), LABEL_SHADE))
    return Table(cells, colWidths=column_widths, style=TableStyle(style), repeatRows=1 if header else 0)


def record_title(title: str, font: str, url: str = "") -> Flowable:
    """A record's title, centred on the page; with a URL, its verification QR code at the right."""
    centred_title = CJKText(title, font, RECORD_TITLE_SIZE, centred=True)
    if not url:
        return centred_title
    qr_code = QrCode(url, RECORD_QR_SIZE, qrcode.constants.ERROR_CORRECT_M)
    return Table([["", centred_title, qr_code]],
                 colWidths=[RECORD_QR_SIZE, TEXT_WIDTH - 2 * RECORD_QR_SIZE, RECORD_QR_SIZE],
                 style=TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                   ("FONTNAME", (0, 0), (-1, -1), font), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))


def section_heading(text: str, font: str, size: float = RECORD_HEADING_SIZE) -> list[Flowable]:
    """A heading, on a new page when too little room is left for it and a few rows below it."""
    return [CondPageBreak(HEADING_ROOM), CJKText(text, font, size, space_before=5 * mm)]


def facts_table(rows: Sequence[tuple[str, str] | tuple[str, str, str, str]], font: str) -> Table:
    """A record's head: shaded labels beside their values, two pairs a row, or one pair across the whole width."""
    value_width = TEXT_WIDTH / 2 - FACT_LABEL_WIDTH
    cells = [row if len(row) == 4 else (*row, "", "") for row in rows]
    paired = [index for index, row in enumerate(rows) if len(row) == 4]
    single = [index for index, row in enumerate(rows) if len(row) == 2]
    return grid_table(cells, [FACT_LABEL_WIDTH, value_width] * 2, font, RECORD_BODY_SIZE,
                      shaded=(((0, 0), (0, -1)), *(((2, index), (2, index)) for index in paired)),
                      spans=tuple(((1, index), (3, index)) for index in single))


def filled_widths(widths: Sequence[float | None]) -> list[float]:
    """``widths`` with the one ``None`` column taking whatever the others leave of the text width."""
    fixed = sum(width for width in widths if width is not None)
    return [TEXT_WIDTH - fixed if width is None else width for width in widths]


def numbered_table(header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float | None], font: str,
                   empty_text: str = NOTHING) -> Flowable:
    """``rows`` numbered from 1 under a header that repeats on every page, or ``empty_text`` when there are none.

    ``widths`` are those of ``header``'s columns, one of them ``None`` (see ``filled_widths``).
    """
    if not rows:
        return CJKText(empty_text, font, RECORD_BODY_SIZE)
    numbered = [("序号", *header), *((str(number), *row) for number, row in enumerate(rows, start=1))]
    return grid_table(numbered, filled_widths([NUMBER_WIDTH, *widths]), font, RECORD_BODY_SIZE, header=True)


def signed_closing(signatures: Sequence[tuple[str, str]], integrity: str, font: str) -> Flowable:
    """The record's integrity line (when it has one) and rows of "label: ____" pairs to sign or date by hand,
    kept on one page: a signature must not be separated from what it signs off."""
    label_line_pairs = [[cell for label in pair for cell in (f"{label}：", "")] for pair in signatures]
    line_width = TEXT_WIDTH / 2 - SIGNATURE_LABEL_WIDTH
    style = TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), RECORD_BODY_SIZE),
                        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("TOPPADDING", (0, 0), (-1, -1), 8 * mm),
                        ("LINEBELOW", (1, 0), (1, -1), 0.5, "black"), ("LINEBELOW", (3, 0), (3, -1), 0.5, "black")])
    closing: list[Flowable] = [Table(label_line_pairs, colWidths=[SIGNATURE_LABEL_WIDTH, line_width] * 2,
                                     style=style, spaceBefore=6 * mm)]
    if integrity:
        closing.insert(0, CJKText(f"记录校验：{integrity}", font, RECORD_SMALL_SIZE, space_before=4 * mm))
    return KeepTogether(closing)


class SectionStart(Flowable):
    """Where a section begins (one worker's sheet): its pages are numbered from 1 and its footer carries ``label``."""

    def __init__(self, label: str):
        super().__init__()
        self.label = label

    def wrap(self, availWidth, availHeight):
        return 0, 0

    def draw(self):
        self.canv.start_section(self.label)


class _SectionFooterCanvas(Canvas):
    """Holds every page back until the document ends, when it knows how many pages each section has.

    Each page's footer then reads "第 x 页 / 共 y 页" counted within its section, plus the section's label.
    """

    def __init__(self, *args, footer_font: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.footer_font = footer_font
        self.section: tuple[int, str] = (0, "")
        self._held_pages: list[dict] = []

    def start_section(self, label: str) -> None:
        self.section = (self.section[0] + 1, label)

    def showPage(self):
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        totals = Counter(page["section"] for page in self._held_pages)
        numbers: Counter = Counter()
        for page in self._held_pages:
            self.__dict__.update(page)
            numbers[self.section] += 1
            self._draw_footer(numbers[self.section], totals[self.section])
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, total: int) -> None:
        self.setFont(self.footer_font, FOOTER_SIZE)
        self.setFillColorRGB(0, 0, 0)
        self.drawCentredString(PAGE_WIDTH / 2, FOOTER_BASELINE, f"第 {number} 页 / 共 {total} 页")
        self.drawRightString(PAGE_WIDTH - MARGIN, FOOTER_BASELINE, self.section[1])


def build_pdf(story: list[Flowable], font: str, title: str) -> bytes:
    """The story set on A4 pages in ``font`` (nothing else gets into the file), with per-section page footers.

    The frame has no padding, so a table ``TEXT_WIDTH`` wide lines up with the text.
    """
    buffer = BytesIO()
    document = BaseDocTemplate(buffer, pagesize=A4, title=title, initialFontName=font, pageCompression=1)
    frame = Frame(MARGIN, BODY_BOTTOM, TEXT_WIDTH, PAGE_HEIGHT - BODY_TOP_MARGIN - BODY_BOTTOM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    document.addPageTemplates([PageTemplate(frames=[frame])])
    document.build(story, canvasmaker=partial(_SectionFooterCanvas, footer_font=font))
    return buffer.getvalue()
