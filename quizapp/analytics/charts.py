"""Dashboard charts drawn on the server with reportlab.graphics and put into the page as inline SVG.

No script and no CDN: the page works on an office PC without internet. reportlab lays labels out with the
metrics of the registered CJK font and writes that font's reportlab name into the SVG, which no browser
knows; every text's font-family is therefore replaced with the page's own CJK font stack. Without a CJK font
on the server the charts still render: only the label layout is measured with Helvetica instead.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import BarChart, HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib.colors import HexColor
from reportlab.pdfbase.pdfmetrics import stringWidth

from quizapp.pdf.fonts import FontMissingError, cjk_font

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
PAGE_FONT_STACK = "'PingFang SC', 'Noto Sans CJK SC', 'WenQuanYi Zen Hei', 'Microsoft YaHei', system-ui, sans-serif"
"""The font-family of the page body (static/css/app.css), so chart labels look like the text around them."""
FALLBACK_FONT = "Helvetica"
COLOURS = (HexColor("#174ea6"), HexColor("#b3261e"), HexColor("#1e7b34"))
INK, GRID = HexColor("#1d2430"), HexColor("#d5dae1")
FONT_SIZE = 10
WIDTH = 640
BAR_HEIGHT = 22
MAX_LABEL_WIDTH = 240
LABEL_GAP = 8
MAX_MONTH_LABELS = 12
_FONT_FAMILY = re.compile(r"font-family:[^;]*")


def chart_font(configured_path: str | None) -> str:
    """The reportlab name of the CJK font to measure labels with, or Helvetica when none is installed."""
    try:
        return cjk_font(configured_path)
    except FontMissingError:
        return FALLBACK_FONT


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(100 * rate, 1)


def _style_text(label, font: str) -> None:
    label.fontName, label.fontSize, label.fillColor = font, FONT_SIZE, INK


def _percent_axis(axis) -> None:
    axis.valueMin, axis.valueMax, axis.valueStep = 0, 100, 20
    axis.labelTextFormat = "%d%%"
    axis.visibleGrid, axis.gridStrokeColor = True, GRID


def _month_labels(months: Sequence[str]) -> list[str]:
    """Every month's label up to a year; beyond that every n-th, so that labels do not run into each other."""
    step = -(-len(months) // MAX_MONTH_LABELS)
    return [month if index % step == 0 else "" for index, month in enumerate(months)]


def _svg(drawing: Drawing, title: str, font: str) -> str:
    """The drawing as an SVG element to put inline: titled for screen readers, scaled to its container, labels
    in the page's fonts, and without the fixed ids reportlab writes (two charts on a page would share them).
    Styles become presentation attributes (fill="…"): the page's content policy refuses style attributes."""
    root = ET.fromstring(renderSVG.drawToString(drawing))
    for element in root.iter():  # plain tag names: ElementTree would otherwise write an "ns0:" prefix on each
        element.tag = element.tag.removeprefix(f"{{{SVG_NAMESPACE}}}")
        element.attrib.pop("id", None)
        style = _FONT_FAMILY.sub(f"font-family: {PAGE_FONT_STACK}",
                                 element.attrib.pop("style", "").replace("clip-path: url(#clip)", ""))
        for declaration in style.split(";"):
            name, _colon, value = declaration.partition(":")
            if value.strip():
                element.set(name.strip(), value.strip())
    root.set("xmlns", SVG_NAMESPACE)
    root.set("width", "100%")
    root.attrib.pop("height", None)
    root.set("role", "img")
    root.find("title").text = title
    root.remove(root.find("desc"))
    root.remove(root.find("clipPath"))  # the viewport clips to the same rectangle
    return ET.tostring(root, encoding="unicode")


def _bars(chart: BarChart, labels: Sequence[str], values: Sequence[float | None], font: str) -> None:
    chart.data = [list(values)]
    chart.categoryAxis.categoryNames = list(labels)
    _style_text(chart.categoryAxis.labels, font)
    _style_text(chart.valueAxis.labels, font)
    _style_text(chart.barLabels, font)
    chart.bars[0].fillColor = COLOURS[0]
    chart.bars.strokeColor = None


def _fitted(labels: Sequence[str], font: str) -> tuple[list[str], float]:
    """The labels, each cut short with an ellipsis where wider than MAX_LABEL_WIDTH, and the width the widest
    of them takes (measured with ``font``: only approximate when that is the Helvetica fallback)."""
    fitted = []
    for label in labels:
        while len(label) > 1 and stringWidth(label, font, FONT_SIZE) > MAX_LABEL_WIDTH:
            label = label[:-2] + "…"
        fitted.append(label)
    return fitted, max((stringWidth(label, font, FONT_SIZE) for label in fitted), default=0)


def rate_bars(title: str, labels: Sequence[str], rates: Sequence[float | None], font: str) -> str:
    """Horizontal bars of rates (0 to 1, shown as percent), one per label: room for long Chinese names."""
    labels, label_width = _fitted(labels, font)
    left = label_width + LABEL_GAP + 4
    height = 40 + BAR_HEIGHT * len(labels)
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = left, 24, WIDTH - left - 40, height - 32
    _bars(chart, labels, [_percent(rate) for rate in rates], font)
    _percent_axis(chart.valueAxis)
    chart.categoryAxis.reverseDirection = True  # the first label on top, as in the table beside it
    chart.categoryAxis.labels.boxAnchor, chart.categoryAxis.labels.dx = "e", -LABEL_GAP + 5
    chart.barLabelFormat, chart.barLabels.boxAnchor, chart.barLabels.dx = "%.0f%%", "w", 3
    drawing.add(chart)
    return _svg(drawing, title, font)


def monthly_columns(title: str, months: Sequence[str], counts: Sequence[int], font: str) -> str:
    """A column per month of a count (exams, say)."""
    drawing = Drawing(WIDTH, 200)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 44, 30, WIDTH - 60, 155
    _bars(chart, _month_labels(months), counts, font)
    chart.valueAxis.valueMin = 0
    chart.valueAxis.visibleGrid, chart.valueAxis.gridStrokeColor = True, GRID
    drawing.add(chart)
    return _svg(drawing, title, font)


def monthly_lines(title: str, months: Sequence[str], series: dict[str, Sequence[float | None]], font: str) -> str:
    """A line per named series of monthly rates (0 to 1, shown as percent); a dot marks each month with data,
    and a month without any is passed over. A series without any data is left out (reportlab cannot draw it);
    at least one series must have some."""
    plotted = {name: rates for name, rates in series.items() if any(rate is not None for rate in rates)}
    drawing = Drawing(WIDTH, 230)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 44, 30, WIDTH - 60, 150
    chart.data = [[_percent(rate) for rate in rates] for rates in plotted.values()]
    chart.categoryAxis.categoryNames = _month_labels(months)
    _style_text(chart.categoryAxis.labels, font)
    _style_text(chart.valueAxis.labels, font)
    _percent_axis(chart.valueAxis)
    legend = Legend()
    legend.x, legend.y, legend.alignment, legend.columnMaximum = 44, 220, "right", 1
    legend.fontName, legend.fontSize, legend.fillColor = font, FONT_SIZE, INK
    legend.colorNamePairs = []
    for index, name in enumerate(plotted):
        chart.lines[index].strokeColor = COLOURS[index % len(COLOURS)]
        chart.lines[index].strokeWidth = 2
        chart.lines[index].symbol = makeMarker("FilledCircle", size=5, fillColor=COLOURS[index % len(COLOURS)])
        legend.colorNamePairs.append((COLOURS[index % len(COLOURS)], name))
    drawing.add(chart)
    drawing.add(legend)
    return _svg(drawing, title, font)
