"""Inspections: check in by scanning the enterprise's poster (/e/<token>), the inspection page, closing."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from quizapp.bank.citations import format_citation
from quizapp.exam.inspections import (
    InspectionError,
    check_in,
    close_inspection,
    inspection_summary,
    local_today,
    open_inspection_today,
)
from quizapp.exam.roster import roster_checks
from quizapp.extensions import db
from quizapp.forms.exams import MODE_LABELS
from quizapp.forms.inspections import CERTIFICATE_STATE_LABELS, FINDING_LABELS, KIND_LABELS, CheckInForm, CloseForm
from quizapp.models import Enterprise, Inspection, LegalSource
from quizapp.web.access import roles_required
from quizapp.web.i18n import translate_message

bp = Blueprint("inspections", __name__)


@bp.route("/e/<token>", methods=["GET", "POST"])
@roles_required("inspector", "admin")
def scan(token: str):
    """The URL on the enterprise's QR poster: join today's inspection there, or start one."""
    enterprise = db.first_or_404(select(Enterprise).where(Enterprise.qr_token == token))
    inspection = open_inspection_today(db.session, enterprise, local_today())
    if inspection and any(member.user_id == current_user.id for member in inspection.team):
        return redirect(url_for("inspections.show", token=inspection.public_token))
    form = CheckInForm()
    if form.validate_on_submit():
        inspection = check_in(db.session, enterprise, current_user, form.kind.data)
        db.session.commit()
        flash(_("Checked in."), "success")
        return redirect(url_for("inspections.show", token=inspection.public_token))
    return render_template("inspections/scan.html", enterprise=enterprise, inspection=inspection, form=form,
                           kinds=KIND_LABELS)


def _inspection_or_404(token: str) -> Inspection:
    return db.first_or_404(select(Inspection).where(Inspection.public_token == token))


@bp.route("/inspections/<token>")
@roles_required("inspector", "admin")
def show(token: str):
    """Examined staff and their results, findings, what is still to do; after closing, the summary."""
    inspection = _inspection_or_404(token)
    summary = inspection_summary(db.session, inspection)
    sources = {source.code: source for source in db.session.scalars(select(LegalSource))}
    basis = {finding.id: [format_citation(sources[b["source"]].short_name or sources[b["source"]].name,
                                          sources[b["source"]].kind, b["article"])
                          for b in finding.basis if b["source"] in sources]
             for finding in summary.findings}
    return render_template("inspections/show.html", inspection=inspection, kinds=KIND_LABELS, summary=summary,
                           certificates=roster_checks(inspection.enterprise.workers, local_today()),
                           state_labels=CERTIFICATE_STATE_LABELS, close_form=CloseForm(), modes=MODE_LABELS,
                           finding_labels=FINDING_LABELS, finding_basis=basis)


@bp.route("/inspections/<token>/close", methods=["POST"])
@roles_required("inspector", "admin")
def close(token: str):
    inspection = _inspection_or_404(token)
    if CloseForm().validate_on_submit():
        try:
            close_inspection(db.session, inspection, current_user)
            db.session.commit()
            flash(_("The inspection is closed."), "success")
        except InspectionError as error:
            flash(translate_message(error.args[0]), "error")
    return redirect(url_for("inspections.show", token=token))
