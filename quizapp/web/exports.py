"""Downloads: every table of the enterprise review, the dashboard and the item statistics as CSV or Excel, with
the page's own filters; and the enterprise's file (一企一档) as a PDF.

Each download is open to exactly those who may open its page: an enterprise's users their own enterprise only
(another's answers 404), the dashboard to staff, the item statistics to admins.

Staff names in a file are masked by default (李*明, 王*: ``quizapp.exam.personal_data.mask_name``); ID-card numbers
are in no file at all. The pages keep full names. ``?names=full`` writes names as they are, and everyone who may
have the file may ask for it: the enterprise's own users (the employer, who holds its staff's names anyway and acts
on the re-exam list), admins (the bureau holds the data) and inspectors (an order to rectify or a penalty names the
person). The default is masked because a file, once downloaded, is mailed and printed beyond the system's access
rules; asking for full names is a deliberate choice by someone entitled to them.
"""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

from flask import Blueprint, request, send_file, url_for
from flask_babel import gettext as _

from quizapp.analytics import exports
from quizapp.analytics.dashboard import Dashboard, build_dashboard
from quizapp.analytics.enterprise import PERIODS, overview, topic_accuracy
from quizapp.analytics.items import ORDERINGS, bank_statistics
from quizapp.exam.inspections import local_today
from quizapp.exam.personal_data import mask_name
from quizapp.extensions import db
from quizapp.forms.inspections import FINDING_LABELS, KIND_LABELS
from quizapp.forms.review import RECTIFICATION_LABELS
from quizapp.models import Enterprise
from quizapp.pdf.enterprise_file import TITLE, enterprise_file, enterprise_file_pdf
from quizapp.web.access import roles_required
from quizapp.web.dashboard import FLAG_LABELS, dashboard_filters
from quizapp.web.enterprises import enterprise_or_404
from quizapp.web.i18n import TYPE_LABELS
from quizapp.web.printing import send_pdf
from quizapp.web.review import VIEWERS

bp = Blueprint("exports", __name__)
FORMAT = "<any(csv, xlsx):fmt>"


def _send(table: exports.Table, fmt: str, name: str):
    return send_file(BytesIO(exports.table_file(table, fmt)), mimetype=exports.FORMATS[fmt], as_attachment=True,
                     download_name=f"{name}.{fmt}", max_age=0)


def _shown_name() -> exports.Names:
    """How the download writes staff names: as they are with ``?names=full``, masked otherwise."""
    return str if request.args.get("names") == "full" else mask_name


def _period() -> str:
    period = request.args.get("period", PERIODS[0])
    return period if period in PERIODS else PERIODS[0]


def _review_table(table: str, enterprise: Enterprise) -> exports.Table:
    if table == "topics":
        return exports.topics_table(topic_accuracy(db.session, enterprise.id))
    if table == "wrong-answers":
        return exports.wrong_answers_table(db.session, enterprise.id, TYPE_LABELS)
    if table == "practice":
        return exports.practice_table(db.session, enterprise.id, _shown_name())
    if table == "findings":
        return exports.findings_table(db.session, enterprise.id, FINDING_LABELS, RECTIFICATION_LABELS, _shown_name())
    review = overview(db.session, enterprise.id, local_today(), _period())
    if table == "inspections":
        return exports.inspections_table(review, KIND_LABELS)
    if table == "pass-rates":
        return exports.pass_rates_table(review)
    return {"reexams": exports.reexams_table, "results": exports.results_table}[table](review, _shown_name())


@bp.route(f"/enterprises/<token>/review/export/<any(reexams, findings, results, 'pass-rates', inspections, topics, "
          f"'wrong-answers', practice):table>.{FORMAT}")
@roles_required(*VIEWERS)
def review_table(token: str, table: str, fmt: str):
    """A table of the enterprise's review; ``period`` (month or quarter) as on the overview, ``names``: see above."""
    enterprise = enterprise_or_404(token)
    return _send(_review_table(table, enterprise), fmt, f"{enterprise.name}-{table}")


@bp.route("/enterprises/<token>/file.pdf")
@roles_required(*VIEWERS)
def enterprise_file_page(token: str):
    """一企一档: the enterprise's file, printed; ``names`` as for the tables."""
    enterprise = enterprise_or_404(token)
    file = enterprise_file(db.session, enterprise, local_today(), _shown_name())
    return send_pdf(lambda font: enterprise_file_pdf(file, font), f"{TITLE}-{enterprise.name}.pdf",
                    url_for("review.show", token=token))


DASHBOARD_TABLES: dict[str, Callable[[Dashboard], exports.Table]] = {
    "months": exports.months_table,
    "counties": lambda board: exports.figures_table(_("By county or district"), _("County or district"),
                                                    board.counties),
    "enterprises": lambda board: exports.figures_table(_("Enterprises in %(county)s", county=board.filters.county),
                                                       _("Enterprise"), board.enterprises),
    "industries": lambda board: exports.figures_table(_("By industry"), _("Industry"), board.industries),
    "roles": lambda board: exports.figures_table(_("By role"), _("Role"), board.roles, drills=False),
    "topics": exports.dashboard_topics_table,
}


@bp.route(f"/dashboard/export/<any(months, counties, enterprises, industries, roles, topics):table>.{FORMAT}")
@roles_required("admin", "inspector")
def dashboard_table(table: str, fmt: str):
    """A dashboard table, with the dashboard's filters (start, end, county, industry)."""
    dashboard = build_dashboard(db.session, dashboard_filters())
    filters = dashboard.filters
    place = "-".join(part for part in (filters.county, filters.industry) if part)
    return _send(DASHBOARD_TABLES[table](dashboard), fmt,
                 f"dashboard-{table}-{filters.start.isoformat()}-{filters.end.isoformat()}"
                 + (f"-{place}" if place else ""))


@bp.route(f"/dashboard/items/export/<any(items, blueprints):table>.{FORMAT}")
@roles_required("admin")
def item_table(table: str, fmt: str):
    """Every question's statistics (the page's ``sort`` and ``flagged`` apply, not its paging), or the blueprints'
    reliability."""
    statistics = bank_statistics(db.session)
    if table == "blueprints":
        return _send(exports.blueprints_table(statistics), fmt, "item-statistics-blueprints")
    order = request.args.get("sort", "flags")
    flagged_only = request.args.get("flagged") == "1"
    items = sorted((item for item in statistics.items if item.flags or not flagged_only),
                   key=ORDERINGS.get(order, ORDERINGS["flags"]))
    return _send(exports.items_table(items, TYPE_LABELS, FLAG_LABELS), fmt, "item-statistics")

