"""Drills on an inspection: choosing a template and participants, the run screen with its clock, the record.

The run screen sends each tap to the JSON API (quizapp/web/api.py) as it happens; this module only
renders pages, so a reload shows every mark the server holds and the clock from the server's start time.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from quizapp.exam.drill_runs import (
    PASS_MARK,
    DrillError,
    record_drills_not_held,
    score_drill,
    start_run,
)
from quizapp.exam.drill_templates import drills_for_industries
from quizapp.extensions import db
from quizapp.forms.drill_runs import PHASE_RATING_LABELS, STEP_MARK_LABELS, StartDrillForm
from quizapp.forms.inspections import CloseForm
from quizapp.models import DrillTemplate, Inspection, Worker
from quizapp.models.drill_run import DrillRun
from quizapp.pdf.documents import drill_record
from quizapp.pdf.drill_record import drill_record_pdf
from quizapp.web.access import roles_required
from quizapp.web.exams import refused
from quizapp.web.printing import send_pdf
from quizapp.web.templating import new_request_id

bp = Blueprint("drills", __name__)


def _inspection_or_404(token: str) -> Inspection:
    return db.first_or_404(select(Inspection).where(Inspection.public_token == token))


@bp.route("/inspections/<token>/drills/new", methods=["GET", "POST"])
@roles_required("inspector", "admin")
def new(token: str):
    """Choose a drill (those for the enterprise's industries first) and register who takes part."""
    inspection = _inspection_or_404(token)
    suggested = drills_for_industries(db.session, inspection.enterprise.industry_codes)
    others = [template for template in db.session.scalars(
        select(DrillTemplate).where(DrillTemplate.status == "active")) if template not in suggested]
    form = StartDrillForm()
    others.sort(key=lambda template: template.current_version.content["title"])
    form.template.choices = [SelectChoice(template.code, template.current_version.content["title"])
                             for template in [*suggested, *others]]
    form.participants.choices = [SelectChoice(worker.public_token, f"{worker.name} · {worker.post}")
                                 for worker in inspection.enterprise.workers]
    if form.validate_on_submit():
        template = db.first_or_404(select(DrillTemplate).where(DrillTemplate.code == form.template.data))
        workers = list(db.session.scalars(select(Worker).where(Worker.public_token.in_(form.participants.data or []))))
        try:
            run = start_run(db.session, client_id=form.client_id.data, inspection=inspection,
                            template=template.current_version, examiner=current_user, participants=workers)
        except DrillError as error:
            return refused(error, "inspections.show", token)
        db.session.commit()
        return redirect(url_for("drills.run", token=run.public_token))
    form.client_id.data = form.client_id.data or new_request_id()
    return render_template("drills/new.html", inspection=inspection, form=form, suggested=len(suggested))


@bp.post("/inspections/<token>/drills/not-held")
@roles_required("inspector", "admin")
def not_held(token: str):
    """Record that the enterprise has not held its drills (安法 97(六))."""
    inspection = _inspection_or_404(token)
    if CloseForm().validate_on_submit():
        try:
            record_drills_not_held(db.session, inspection, rectify_days=current_app.config["QUIZAPP_REEXAM_DAYS"])
        except DrillError as error:
            return refused(error, "inspections.show", token)
        db.session.commit()
        flash(_("Recorded: the enterprise has not held its drills."), "success")
    return redirect(url_for("inspections.show", token=token))


def _run_or_404(token: str) -> DrillRun:
    return db.first_or_404(select(DrillRun).where(DrillRun.public_token == token))


@bp.route("/drills/<token>")
@roles_required("inspector", "admin")
def run(token: str):
    """The run screen: start button and clock, each step's marks, phase ratings, finish; or the result."""
    drill = _run_or_404(token)
    result = score_drill(drill.content, drill)
    return render_template("drills/run.html", drill=drill, content=drill.content, result=result,
                           latest={(step.phase, step.step): step for step in result.steps},
                           marked={(mark.phase, mark.step) for mark in drill.marks},
                           step_marks=STEP_MARK_LABELS, ratings=PHASE_RATING_LABELS, pass_mark=PASS_MARK)


@bp.route("/drills/<token>/record.pdf")
@roles_required("inspector", "admin", "enterprise")
def record_pdf(token: str):
    """The 演练评估表 to sign and keep with the inspection; the enterprise may read its own."""
    drill = _run_or_404(token)
    if current_user.role == "enterprise" and current_user.enterprise_id != drill.inspection.enterprise_id:
        abort(404)
    record = drill_record(db.session, drill)
    return send_pdf(lambda font: drill_record_pdf(record, font), f"演练评估表-{drill.content['title']}.pdf",
                    url_for("drills.run", token=token))
