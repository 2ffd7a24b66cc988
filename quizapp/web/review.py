"""An enterprise's review of its own results, and putting its findings right.

Its users see their own enterprise only (another enterprise's pages answer 404, as the enterprise page does);
inspectors and admins may open any. The enterprise reports a finding rectified, with a note and perhaps a
photo; an inspector or admin verifies it here or on the inspection page.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from quizapp.analytics.enterprise import (
    PERIODS,
    SMALL_SAMPLE,
    finding_citations,
    most_missed_questions,
    overview,
    topic_accuracy,
    wrong_answers,
)
from quizapp.exam.inspections import local_today
from quizapp.exam.papers import items_view, result_view
from quizapp.exam.rectification import (
    REPORTABLE_STATES,
    PhotoError,
    RectificationError,
    rectification_state,
    report_rectified,
    send_back,
    verify_rectification,
)
from quizapp.extensions import db
from quizapp.forms.inspections import FINDING_LABELS, KIND_LABELS
from quizapp.forms.review import PERIOD_LABELS, RECTIFICATION_LABELS, RectificationForm, VerificationForm
from quizapp.models import Attempt, Enterprise, Finding, Inspection
from quizapp.web.access import roles_required
from quizapp.web.enterprises import enterprise_or_404
from quizapp.web.i18n import translate_message

bp = Blueprint("review", __name__, url_prefix="/enterprises/<token>/review")
VIEWERS = ("admin", "inspector", "enterprise")
REVIEWERS = ("admin", "inspector")
UPLOAD_FOLDER = "uploads"
"""Under the instance folder, outside static/: a photo is served only through ``photo``, which checks who asks."""

# The inspection page shows each finding's rectification too, through the same macro.
bp.add_app_template_global(rectification_state)
bp.add_app_template_global(RECTIFICATION_LABELS, "rectification_labels")


def _upload_folder() -> Path:
    return Path(current_app.instance_path) / UPLOAD_FOLDER


def _finding_or_404(enterprise: Enterprise, token: str) -> Finding:
    return db.first_or_404(select(Finding).join(Inspection, Inspection.id == Finding.inspection_id)
                           .where(Finding.public_token == token, Inspection.enterprise_id == enterprise.id))


@bp.route("")
@roles_required(*VIEWERS)
def show(token: str):
    """Inspections, pass rate over time, each worker's latest result, re-exams due, findings to rectify."""
    enterprise = enterprise_or_404(token)
    period = request.args.get("period", PERIODS[0])
    if period not in PERIODS:
        period = PERIODS[0]
    today = local_today()
    return render_template("review/show.html", enterprise=enterprise, period=period, period_labels=PERIOD_LABELS,
                           review=overview(db.session, enterprise.id, today, period), kinds=KIND_LABELS,
                           finding_labels=FINDING_LABELS, today=today)


@bp.route("/topics")
@roles_required(*VIEWERS)
def topics(token: str):
    """Accuracy per topic and role, weakest first."""
    enterprise = enterprise_or_404(token)
    return render_template("review/topics.html", enterprise=enterprise, small_sample=SMALL_SAMPLE,
                           report=topic_accuracy(db.session, enterprise.id))


@bp.route("/wrong-answers")
@roles_required(*VIEWERS)
def wrong_answer_book(token: str):
    """The questions the staff missed, most often first, with the right answer, explanation and legal basis."""
    enterprise = enterprise_or_404(token)
    page = db.paginate(most_missed_questions(db.session, enterprise.id),
                       per_page=current_app.config["QUIZAPP_PAGE_SIZE"], error_out=False)
    return render_template("review/wrong_answers.html", enterprise=enterprise, page=page,
                           entries=wrong_answers(db.session, enterprise.id, list(page.items)))


@bp.route("/results/<attempt>")
@roles_required(*VIEWERS)
def result(token: str, attempt: str):
    """One official result as the worker saw the paper (options in the shuffled order), with the right answers."""
    enterprise = enterprise_or_404(token)
    found = db.first_or_404(select(Attempt).join(Inspection, Inspection.id == Attempt.inspection_id)
                            .where(Attempt.public_token == attempt, Attempt.status == "final",
                                   Inspection.enterprise_id == enterprise.id))
    correction = db.session.scalar(select(Attempt).where(Attempt.corrects_id == found.id))
    return render_template("review/result.html", enterprise=enterprise, attempt=found, correction=correction,
                           result=result_view(db.session, found), shown=items_view(db.session, found.items))


@bp.route("/findings/<finding>/rectify", methods=["GET", "POST"])
@roles_required("enterprise")
def rectify(token: str, finding: str):
    """The enterprise reports what it did to put a finding right."""
    enterprise = enterprise_or_404(token)
    item = _finding_or_404(enterprise, finding)
    overview_url = url_for("review.show", token=token, _anchor="findings")
    if request.method == "GET" and rectification_state(item) not in REPORTABLE_STATES:
        return redirect(overview_url)  # already reported, verified, or put right by a re-exam
    form = RectificationForm()
    if form.validate_on_submit():
        try:
            report_rectified(db.session, item, current_user, form.note.data,
                             form.photo.data.stream if form.photo.data else None, _upload_folder())
        except PhotoError as error:
            db.session.rollback()
            form.photo.errors.append(translate_message(error.args[0]))
        except RectificationError as error:
            db.session.rollback()
            flash(translate_message(error.args[0]), "error")
            return redirect(overview_url)
        else:
            db.session.commit()
            flash(_("Reported as rectified; an inspector will verify it."), "success")
            return redirect(overview_url)
    return render_template("review/rectify.html", enterprise=enterprise, finding=item, form=form,
                           finding_labels=FINDING_LABELS, basis=finding_citations(db.session, [item])[item.id])


@bp.post("/findings/<finding>/verify")
@roles_required(*REVIEWERS)
def verify(token: str, finding: str):
    """Accept the reported work, or send it back with a note; then back to the page the form was on."""
    enterprise = enterprise_or_404(token)
    item = _finding_or_404(enterprise, finding)
    form = VerificationForm()
    back = (url_for("inspections.show", token=item.inspection.public_token) if form.return_to.data == "inspection"
            else url_for("review.show", token=token, _anchor="findings"))
    if not form.validate_on_submit():
        flash(_("The verification could not be saved; please try again."), "error")
        return redirect(back)
    try:
        if form.send_back.data:
            send_back(db.session, item, current_user, form.note.data)
        else:
            verify_rectification(db.session, item, current_user, form.note.data)
    except RectificationError as error:
        db.session.rollback()
        flash(translate_message(error.args[0]), "error")
        return redirect(back)
    db.session.commit()
    flash(_("Sent back to the enterprise.") if form.send_back.data else _("The rectification is verified."), "success")
    return redirect(back)


@bp.route("/findings/<finding>/photo")
@roles_required(*VIEWERS)
def photo(token: str, finding: str):
    """A rectification photo, to those who may see the enterprise only."""
    item = _finding_or_404(enterprise_or_404(token), finding)
    if not item.rectification_photo:
        abort(404)
    response = send_from_directory(_upload_folder(), item.rectification_photo, max_age=0)
    response.cache_control.private = True
    return response
