"""The bureau's dashboard (admins and inspectors) and the question bank's item statistics (admins)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from quizapp.analytics.charts import FALLBACK_FONT, chart_font, monthly_columns, monthly_lines, rate_bars
from quizapp.analytics.dashboard import MIN_ANSWERS_PER_TOPIC, Dashboard, DashboardFilter, build_dashboard
from quizapp.analytics.items import (
    LOW_EFFICIENCY,
    MIN_ANSWERS_FOR_FLAGS,
    ORDERINGS,
    TOO_EASY,
    TOO_HARD,
    bank_statistics,
)
from quizapp.exam.inspections import local_today
from quizapp.extensions import db
from quizapp.web.access import roles_required

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
ITEMS_PER_PAGE = 50
WEAKEST_TOPICS_CHARTED = 10
FLAG_LABELS = {
    "too_easy": _l("Too easy"),
    "too_hard": _l("Too hard"),
    "negative_discrimination": _l("Negative discrimination"),
    "low_efficiency": _l("Low discriminative efficiency"),
}
ORDER_LABELS = {
    "flags": _l("Flags first"),
    "facility": _l("Facility, lowest first"),
    "discrimination": _l("Discrimination, lowest first"),
    "efficiency": _l("Efficiency, lowest first"),
    "asked": _l("Most answered first"),
    "code": _l("Id"),
}


def _date_arg(name: str, default: date) -> date:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return default


def dashboard_filters() -> DashboardFilter:
    default = DashboardFilter.last_twelve_months(local_today())
    return DashboardFilter(_date_arg("start", default.start), _date_arg("end", default.end),
                           request.args.get("county", "").strip(), request.args.get("industry", "").strip())


def _charts(dashboard: Dashboard) -> dict[str, Markup]:
    """The page's charts as inline SVG; reportlab escapes the labels, so the markup is ours and safe to embed."""
    font = chart_font(current_app.config["QUIZAPP_PDF_FONT"])
    if font == FALLBACK_FONT:
        current_app.logger.warning("no CJK font for chart layout; Chinese labels are measured with %s", font)
    months = [month for month, _figures in dashboard.months]
    charts = {}
    if dashboard.total.exams or dashboard.total.drills:
        charts["trend"] = monthly_lines(_("Pass rate by month"), months, {
            _("Exams"): [figures.pass_rate for _month, figures in dashboard.months],
            _("Drills"): [figures.drill_pass_rate for _month, figures in dashboard.months]}, font)
        charts["volume"] = monthly_columns(_("Exams by month"), months,
                                           [figures.exams for _month, figures in dashboard.months], font)
    places = dashboard.enterprises or dashboard.counties
    if places:
        charts["places"] = rate_bars(_("Pass rate"), [row.label or _("Not given") for row in places],
                                     [row.figures.pass_rate for row in places], font)
    weakest = dashboard.topics[:WEAKEST_TOPICS_CHARTED]
    if weakest:
        charts["topics"] = rate_bars(_("Weakest topics: share of points earned"), [topic.name for topic in weakest],
                                     [topic.score_rate for topic in weakest], font)
    return {name: Markup(svg) for name, svg in charts.items()}


@bp.route("/")
@roles_required("admin", "inspector")
def index():
    dashboard = build_dashboard(db.session, dashboard_filters())
    return render_template("dashboard/index.html", dashboard=dashboard, filters=dashboard.filters,
                           charts=_charts(dashboard), min_topic_answers=MIN_ANSWERS_PER_TOPIC)


@dataclass(frozen=True)
class ListPage:
    """One page of an already computed list, with what templates/_pager.html reads."""

    items: list[Any]
    page: int
    pages: int

    @classmethod
    def of(cls, rows: list[Any], page: int, per_page: int) -> ListPage:
        pages = max(1, math.ceil(len(rows) / per_page))
        page = min(max(page, 1), pages)
        return cls(rows[(page - 1) * per_page:page * per_page], page, pages)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


@bp.route("/items")
@roles_required("admin")
def items():
    order = request.args.get("sort", "flags")
    if order not in ORDERINGS:
        order = "flags"
    flagged_only = request.args.get("flagged") == "1"
    statistics = bank_statistics(db.session)
    rows = sorted((item for item in statistics.items if item.flags or not flagged_only), key=ORDERINGS[order])
    page = ListPage.of(rows, request.args.get("page", 1, type=int), ITEMS_PER_PAGE)
    thresholds = {"min_answers": MIN_ANSWERS_FOR_FLAGS, "too_easy": TOO_EASY, "too_hard": TOO_HARD,
                  "low_efficiency": LOW_EFFICIENCY}
    return render_template("dashboard/items.html", page=page, total=len(rows), order=order, flagged_only=flagged_only,
                           blueprints=statistics.blueprints, flag_labels=FLAG_LABELS, order_labels=ORDER_LABELS,
                           thresholds=thresholds)
