"""The A4 poster at an enterprise's entrance (入企扫码): inspectors scan its QR code to check in.

The poster is in Chinese whatever the language of the person printing it: it hangs on a factory wall.
"""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor, white
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from quizapp.pdf.layout import draw_qr_code

TITLE = "逢查必考 · 入企扫码"
INSTRUCTION = "执法人员入企检查：请用执法终端扫描下方二维码签到"
BAND_COLOUR = HexColor("#1f3a5f")
MUTED_COLOUR = HexColor("#555555")
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
BAND_HEIGHT = 32 * mm
QR_SIZE = 130 * mm
QR_BOTTOM = 36 * mm
# The enterprise name and county are centred between the band and the instruction above the QR code.
NAME_AREA_TOP = PAGE_HEIGHT - BAND_HEIGHT - 10 * mm
NAME_AREA_BOTTOM = QR_BOTTOM + QR_SIZE + 22 * mm
NAME_SIZES = range(40, 13, -2)  # points, largest first; 200 characters (the column's limit) fit at 14 pt


def enterprise_poster(enterprise_name: str, county: str, url: str, font: str) -> bytes:
    """One A4 page: title band, the enterprise's name and county, the instruction, the QR code of ``url``.

    ``font`` is a registered CJK TrueType font (``quizapp.pdf.fonts.cjk_font``); it is embedded as a subset.
    """
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=font)  # no stray Helvetica
    canvas.setTitle(f"{enterprise_name} {TITLE}")
    canvas.setSubject(url)

    canvas.setFillColor(BAND_COLOUR)
    canvas.rect(0, PAGE_HEIGHT - BAND_HEIGHT, PAGE_WIDTH, BAND_HEIGHT, stroke=0, fill=1)
    canvas.setFillColor(white)
    canvas.setFont(font, 30)
    canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - BAND_HEIGHT / 2 - 10, TITLE)

    name = _fitted_paragraph(enterprise_name, font, NAME_AREA_TOP - NAME_AREA_BOTTOM - 14 * mm)
    county_line = Paragraph(escape(county), _centred_style(font, 18, MUTED_COLOUR))
    name_height = name.wrap(TEXT_WIDTH, PAGE_HEIGHT)[1]
    county_height = county_line.wrap(TEXT_WIDTH, PAGE_HEIGHT)[1] + 4 * mm if county else 0
    top = (NAME_AREA_TOP + NAME_AREA_BOTTOM + name_height + county_height) / 2
    name.drawOn(canvas, MARGIN, top - name_height)
    if county:
        county_line.drawOn(canvas, MARGIN, top - name_height - county_height)

    canvas.setFillColor(BAND_COLOUR)
    canvas.setFont(font, 16)
    canvas.drawCentredString(PAGE_WIDTH / 2, QR_BOTTOM + QR_SIZE + 8 * mm, INSTRUCTION)
    # Error correction Q (25 %, the default) tolerates a poster that is dirty or partly covered.
    draw_qr_code(canvas, url, (PAGE_WIDTH - QR_SIZE) / 2, QR_BOTTOM, QR_SIZE)
    canvas.setFillColor(MUTED_COLOUR)
    canvas.setFont(font, 9)
    canvas.drawCentredString(PAGE_WIDTH / 2, QR_BOTTOM - 6 * mm, url)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _centred_style(font: str, size: float, colour=BAND_COLOUR) -> ParagraphStyle:
    # wordWrap="CJK" breaks between any two Chinese characters; the default breaks only at spaces.
    return ParagraphStyle(f"poster-{size}", fontName=font, fontSize=size, leading=size * 1.25,
                          alignment=TA_CENTER, textColor=colour, wordWrap="CJK")


def _fitted_paragraph(text: str, font: str, max_height: float) -> Paragraph:
    """The enterprise name in the largest size that keeps it within ``max_height``: long names wrap and shrink."""
    for size in NAME_SIZES:
        paragraph = Paragraph(escape(text), _centred_style(font, size))
        if paragraph.wrap(TEXT_WIDTH, PAGE_HEIGHT)[1] <= max_height:
            break
    return paragraph

