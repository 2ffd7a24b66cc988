"""Exam screens: starting a worker's paper, worker mode on the tablet, the inspector's marking, results.

Worker mode locks the tablet's session to one paper: until the inspector enters their password, every
other page leads back to it, so the worker cannot wander into the inspection or another result.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from quizapp.exam.assemble import ShortageError
from quizapp.exam.attempts import (
    AttemptError,
    correct_attempt,
    hand_back,
    inspector_part,
    start_attempt,
    submit_answers,
    worker_part,
)
from quizapp.exam.blueprint import blueprint_for
from quizapp.exam.papers import items_view, paper_view, result_view
from quizapp.exam.scoring import ScoringError
from quizapp.exam.sheets import sheet_for_attempt
from quizapp.extensions import db, limiter
from quizapp.forms.exams import (
    ORAL_MARK_LABELS,
    STEP_MARK_LABELS,
    AnswersForm,
    CorrectionForm,
    StartExamForm,
    UnlockForm,
    answers_from,
)
from quizapp.models import Attempt, Inspection, PaperSheet, Worker
from quizapp.web.access import roles_required
from quizapp.web.i18n import translate_message
from quizapp.web.templating import new_request_id

bp = Blueprint("exams", __name__)
LOCK_KEY = "worker_lock"
LOCKED_ENDPOINTS = {"exams.take", "exams.result", "exams.unlock"}


@bp.before_app_request
def keep_the_worker_in_the_quiz():
    """While a worker holds the tablet, only their own paper, its result and the unlock screen answer."""
    locked = session.get(LOCK_KEY)
    if not locked or request.endpoint in ("static", "home.service_worker") or (
            request.endpoint in LOCKED_ENDPOINTS and (request.view_args or {}).get("token") == locked):
        return None
    return redirect(url_for("exams.take", token=locked))


def _attempt_or_404(token: str) -> Attempt:
    return db.first_or_404(select(Attempt).where(Attempt.public_token == token))


def refused(error: Exception, endpoint: str, token: str):
    """Undo the request's writes and say why it was refused, on the page named by ``endpoint``."""
    db.session.rollback()
    flash(translate_message(error.args[0]), "error")
    return redirect(url_for(endpoint, token=token))


@bp.post("/inspections/<token>/exams")
@roles_required("inspector", "admin")
def start(token: str):
    """Draw a paper for a worker; a shortage asks the inspector whether a shorter paper will do."""
    inspection = db.first_or_404(select(Inspection).where(Inspection.public_token == token))
    form = StartExamForm()
    if not form.validate_on_submit():
        flash(_("The exam could not be started; please try again."), "error")
        return redirect(url_for("inspections.show", token=token))
    worker = db.first_or_404(select(Worker).where(Worker.public_token == form.worker.data))
    try:
        attempt = start_attempt(db.session, client_id=form.client_id.data, inspection=inspection, worker=worker,
                                examiner=current_user, blueprint=blueprint_for(db.session, worker.role_code),
                                mode=form.mode.data, allow_short=form.allow_short.data == "1")
    except ShortageError as error:
        db.session.rollback()
        form.allow_short.data = "1"
        return render_template("exams/shortage.html", inspection=inspection, worker=worker, form=form,
                               missing=error.missing)
    except AttemptError as error:
        return refused(error, "inspections.show", token)
    if attempt.mode == "paper":
        sheet = db.session.scalar(select(PaperSheet).where(PaperSheet.attempt_id == attempt.id)) \
            or sheet_for_attempt(db.session, attempt, current_user)
        db.session.commit()
        return redirect(url_for("sheets.batch", batch=sheet.batch))
    db.session.commit()
    if attempt.status == "final":
        return redirect(url_for("exams.result", token=attempt.public_token))
    if worker_part(attempt):
        session[LOCK_KEY] = attempt.public_token
        return redirect(url_for("exams.take", token=attempt.public_token))
    return redirect(url_for("exams.mark", token=attempt.public_token))


@bp.route("/attempts/<token>/take", methods=["GET", "POST"])
@roles_required("inspector", "admin")
def take(token: str):
    """Worker mode: the worker's part of the paper, one question per screen, then back to the inspector."""
    attempt = _attempt_or_404(token)
    if attempt.status == "final":
        return redirect(url_for("exams.result", token=token))
    part = worker_part(attempt)
    if attempt.responses is not None or not part:
        return render_template("exams/handback.html", attempt=attempt, unlock_form=UnlockForm())
    paper, form = paper_view(db.session, attempt), AnswersForm()
    if form.validate_on_submit():
        try:
            answers = answers_from(request.form, paper["items"], part)
            if inspector_part(attempt):
                hand_back(db.session, attempt, answers)
                db.session.commit()
                return redirect(url_for("exams.take", token=token))
            submit_answers(db.session, attempt, submission_id=form.submission_id.data, answers=answers, part=part,
                           reexam_days=current_app.config["QUIZAPP_REEXAM_DAYS"])
        except (AttemptError, ScoringError) as error:
            return refused(error, "exams.take", token)
        db.session.commit()
        return redirect(url_for("exams.result", token=token))
    form.submission_id.data = new_request_id()
    return render_template("exams/take.html", attempt=attempt, paper=paper, part=part, form=form)


@bp.post("/attempts/<token>/unlock")
@roles_required("inspector", "admin")
@limiter.limit("5 per minute")
def unlock(token: str):
    """The inspector takes the tablet back with their password; the worker cannot."""
    attempt = _attempt_or_404(token)
    form = UnlockForm()
    if not (form.validate_on_submit() and current_user.check_password(form.password.data)):
        flash(_("That is not the inspector's password."), "error")
        return redirect(request.referrer or url_for("exams.take", token=token))
    session.pop(LOCK_KEY, None)
    if attempt.status == "final":
        return redirect(url_for("inspections.show", token=attempt.inspection.public_token))
    return redirect(url_for("exams.mark", token=token))


@bp.route("/attempts/<token>/mark", methods=["GET", "POST"])
@roles_required("inspector", "admin")
def mark(token: str):
    """The inspector's part: oral items by key points, 手指口述 by steps, and in an oral exam every item."""
    attempt = _attempt_or_404(token)
    if attempt.status == "final":
        return redirect(url_for("exams.result", token=token))
    part = inspector_part(attempt)
    if worker_part(attempt) and attempt.responses is None:
        flash(_("The worker has not finished their part yet."), "info")
        return redirect(url_for("exams.take", token=token))
    paper, form = paper_view(db.session, attempt), AnswersForm()
    if form.validate_on_submit():
        try:
            submit_answers(db.session, attempt, submission_id=form.submission_id.data,
                           answers=answers_from(request.form, paper["items"], part), part=part,
                           reexam_days=current_app.config["QUIZAPP_REEXAM_DAYS"])
        except (AttemptError, ScoringError) as error:
            return refused(error, "exams.mark", token)
        db.session.commit()
        return redirect(url_for("exams.result", token=token))
    form.submission_id.data = new_request_id()
    corrected = db.session.get(Attempt, attempt.corrects_id) if attempt.corrects_id else None
    return render_template("exams/mark.html", attempt=attempt, paper=paper, part=part, form=form,
                           previous=corrected.responses if corrected else [None] * len(attempt.items),
                           oral_marks=ORAL_MARK_LABELS, step_marks=STEP_MARK_LABELS)


@bp.route("/attempts/<token>")
@roles_required("inspector", "admin")
def result(token: str):
    """The score and, for every item missed, the right answer, the explanation and the legal basis."""
    attempt = _attempt_or_404(token)
    if attempt.status != "final":
        return redirect(url_for("exams.take" if session.get(LOCK_KEY) == token else "exams.mark", token=token))
    form = CorrectionForm()
    form.client_id.data = new_request_id()
    return render_template("exams/result.html", attempt=attempt, result=result_view(db.session, attempt),
                           shown=items_view(db.session, attempt.items), locked=session.get(LOCK_KEY) == token,
                           unlock_form=UnlockForm(), correction_form=form,
                           correction=db.session.scalar(select(Attempt).where(Attempt.corrects_id == attempt.id)))


@bp.post("/attempts/<token>/correct")
@roles_required("inspector", "admin")
def correct(token: str):
    """Correct a final result: the inspector enters the paper again, with a reason; the old one stays."""
    attempt = _attempt_or_404(token)
    form = CorrectionForm()
    if not form.validate_on_submit():
        flash(_("A correction needs a reason."), "error")
        return redirect(url_for("exams.result", token=token))
    try:
        correction = correct_attempt(db.session, attempt, client_id=form.client_id.data, examiner=current_user,
                                     reason=form.reason.data)
    except AttemptError as error:
        return refused(error, "exams.result", token)
    db.session.commit()
    return redirect(url_for("exams.mark", token=correction.public_token))
