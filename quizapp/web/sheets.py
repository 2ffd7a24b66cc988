"""Paper: printing quiz sheets and their answer keys, entering a sheet from its QR code, the exam record."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from quizapp.exam.assemble import ShortageError
from quizapp.exam.attempts import AttemptError
from quizapp.exam.blueprint import blueprint_for
from quizapp.exam.inspections import local_today, open_inspection_today
from quizapp.exam.papers import items_view
from quizapp.exam.scoring import ScoringError
from quizapp.exam.sheets import enter_sheet, print_batch
from quizapp.extensions import db
from quizapp.forms.exams import ORAL_MARK_LABELS, STEP_MARK_LABELS, PrintSheetsForm, SheetEntryForm, answers_from
from quizapp.models import Enterprise, Inspection, PaperSheet, Role, Worker
from quizapp.pdf.documents import answer_keys, exam_record, inspection_number, quiz_sheets
from quizapp.pdf.record import exam_record_pdf
from quizapp.pdf.sheets import answer_key_pdf, quiz_sheets_pdf
from quizapp.web.access import roles_required
from quizapp.web.exams import refused
from quizapp.web.i18n import TYPE_LABELS
from quizapp.web.printing import send_pdf
from quizapp.web.templating import new_request_id

bp = Blueprint("sheets", __name__)


def sheet_url(sheet: PaperSheet) -> str:
    """The verification URL in a sheet's QR code: scanning it opens the sheet's answer entry."""
    return url_for("sheets.enter", token=sheet.token, _external=True)


@bp.route("/enterprises/<token>/sheets", methods=["GET", "POST"])
@roles_required("inspector", "admin")
def print_page(token: str):
    """Print N different papers for a role, before a visit or during today's inspection."""
    enterprise = db.first_or_404(select(Enterprise).where(Enterprise.qr_token == token))
    form = PrintSheetsForm()
    form.role.choices = [SelectChoice(code, name) for code, name in
                         db.session.execute(select(Role.code, Role.name).order_by(Role.position))]
    if form.validate_on_submit():
        try:
            sheets = print_batch(db.session, enterprise=enterprise, role=form.role.data, count=form.count.data,
                                 blueprint=blueprint_for(db.session, form.role.data), created_by=current_user,
                                 inspection=open_inspection_today(db.session, enterprise, local_today()))
        except ShortageError as error:
            db.session.rollback()
            form.count.errors.append(_("The bank cannot fill this paper: %(shortage)s", shortage="；".join(
                _("%(type)s: %(count)d short", type=TYPE_LABELS[kind], count=count)
                for kind, count in error.missing.items())))
        else:
            db.session.commit()
            return redirect(url_for("sheets.batch", batch=sheets[0].batch))
    return render_template("sheets/print.html", enterprise=enterprise, form=form)


def _batch_or_404(batch: str) -> list[PaperSheet]:
    sheets = list(db.session.scalars(select(PaperSheet).where(PaperSheet.batch == batch).order_by(PaperSheet.id)))
    if not sheets:
        abort(404)
    return sheets


@bp.route("/sheets/<batch>")
@roles_required("inspector", "admin")
def batch(batch: str):
    sheets = _batch_or_404(batch)
    return render_template("sheets/batch.html", sheets=sheets, batch=batch, enterprise=sheets[0].enterprise)


DOCUMENTS = {"papers": (quiz_sheets, quiz_sheets_pdf, "试卷"), "key": (answer_keys, answer_key_pdf, "答案")}


@bp.route("/sheets/<batch>/<any(papers, key):document>.pdf")
@roles_required("inspector", "admin")
def batch_pdf(batch: str, document: str):
    """The batch's quiz sheets, or their answer key."""
    sheets = _batch_or_404(batch)
    gather, render, title = DOCUMENTS[document]
    content = gather(db.session, sheets, sheet_url)
    return send_pdf(lambda font: render(content, font), f"{title}-{sheets[0].enterprise.name}.pdf",
                    url_for("sheets.batch", batch=batch))


@bp.route("/s/<token>", methods=["GET", "POST"])
@roles_required("inspector", "admin")
def enter(token: str):
    """A sheet's QR code: enter its answers in the sheet's order, scored as a paper attempt."""
    sheet = db.first_or_404(select(PaperSheet).where(PaperSheet.token == token))
    if sheet.attempt and sheet.attempt.status == "final":
        return redirect(url_for("exams.result", token=sheet.attempt.public_token))
    inspection = sheet.attempt.inspection if sheet.attempt else open_inspection_today(
        db.session, sheet.enterprise, local_today())
    if inspection is None:
        flash(_("Check in at the enterprise first: scan its poster, then this sheet."), "info")
        return redirect(url_for("inspections.scan", token=sheet.enterprise.qr_token))
    form = SheetEntryForm()
    workers = [sheet.attempt.worker] if sheet.attempt else [
        worker for worker in sheet.enterprise.workers if worker.role_code == sheet.role_code]
    form.worker.choices = [SelectChoice(worker.public_token, worker.name) for worker in workers]
    paper = items_view(db.session, sheet.items)
    if form.validate_on_submit():
        worker = db.first_or_404(select(Worker).where(Worker.public_token == form.worker.data))
        try:
            attempt = enter_sheet(db.session, sheet, inspection=inspection, worker=worker, examiner=current_user,
                                  submission_id=form.submission_id.data,
                                  answers=answers_from(request.form, paper, list(range(len(paper)))),
                                  reexam_days=current_app.config["QUIZAPP_REEXAM_DAYS"])
            db.session.commit()
        except (AttemptError, ScoringError) as error:
            return refused(error, "sheets.enter", token)
        except IntegrityError:  # another tablet entered the same sheet at this moment
            db.session.rollback()
            flash(_("This sheet was just entered on another device."), "error")
            return redirect(url_for("sheets.enter", token=token))
        return redirect(url_for("exams.result", token=attempt.public_token))
    form.submission_id.data = new_request_id()
    return render_template("sheets/enter.html", sheet=sheet, paper=paper, form=form, inspection=inspection,
                           oral_marks=ORAL_MARK_LABELS, step_marks=STEP_MARK_LABELS)


@bp.route("/inspections/<token>/record.pdf")
@roles_required("inspector", "admin")
def record_pdf(token: str):
    """The 检查考核记录表 to sign and attach to the 现场检查记录."""
    inspection = db.first_or_404(select(Inspection).where(Inspection.public_token == token))
    record = exam_record(db.session, inspection)
    return send_pdf(lambda font: exam_record_pdf(record, font), f"检查考核记录-{inspection_number(inspection)}.pdf",
                    url_for("inspections.show", token=token))
