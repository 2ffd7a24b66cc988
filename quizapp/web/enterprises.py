"""Enterprises: the bureau's list, and each enterprise's page (its own users see only theirs)."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import IO

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from quizapp.exam.enterprise_import import (
    ENTERPRISES,
    ROSTER,
    ImportCounts,
    SheetError,
    import_enterprises,
    import_roster,
    write_template,
)
from quizapp.exam.inspections import local_today
from quizapp.exam.roster import RosterError, add_worker, roster_checks
from quizapp.extensions import db
from quizapp.forms.enterprises import EnterpriseForm, SheetUploadForm, WorkerForm
from quizapp.forms.inspections import CERTIFICATE_STATE_LABELS
from quizapp.forms.personal_data import EraseWorkerForm
from quizapp.models import Attempt, DrillRun, Enterprise, Industry, Inspection, Role, SpecialOperationCategory, Worker
from quizapp.pdf.poster import enterprise_poster
from quizapp.web.access import roles_required
from quizapp.web.i18n import translate_message
from quizapp.web.printing import send_pdf

bp = Blueprint("enterprises", __name__, url_prefix="/enterprises")
SHEET_KINDS = {"enterprises": ENTERPRISES, "roster": ROSTER}


def enterprise_or_404(token: str) -> Enterprise:
    enterprise = db.first_or_404(select(Enterprise).where(Enterprise.qr_token == token))
    if current_user.role == "enterprise" and current_user.enterprise_id != enterprise.id:
        abort(404)  # not 403: another enterprise's existence is not disclosed
    return enterprise


def _form(enterprise: Enterprise | None = None) -> EnterpriseForm:
    form = EnterpriseForm(obj=enterprise)
    form.industry_codes.choices = [SelectChoice(code, name) for code, name in
                                   db.session.execute(select(Industry.code, Industry.name).order_by(Industry.position))]
    return form


@bp.route("/")
@roles_required("admin", "inspector")
def index():
    text = request.args.get("q", "").strip()[:100]
    query = select(Enterprise).order_by(Enterprise.county, Enterprise.name)
    if text:
        pattern = f"%{text}%"
        query = query.where(or_(Enterprise.name.ilike(pattern), Enterprise.credit_code.ilike(pattern),
                                Enterprise.county.ilike(pattern)))
    page = db.paginate(query, per_page=20, error_out=False)
    return render_template("enterprises/index.html", page=page, text=text)


@bp.route("/new", methods=["GET", "POST"])
@roles_required("admin")
def create():
    form = _form()
    if form.validate_on_submit():
        if db.session.scalar(select(Enterprise.id).where(Enterprise.credit_code == form.credit_code.data)):
            form.credit_code.errors.append(_("An enterprise with this code already exists."))
        else:
            enterprise = Enterprise()
            form.populate_obj(enterprise)
            db.session.add(enterprise)
            db.session.commit()
            flash(_("Enterprise saved."), "success")
            return redirect(url_for("enterprises.show", token=enterprise.qr_token))
    return render_template("enterprises/edit.html", form=form, enterprise=None)


def _sheet_upload(importer: Callable[[IO[bytes], str], ImportCounts], done_url: str,
                  enterprise: Enterprise | None = None):
    """Import an uploaded workbook in one transaction; its problems are shown on the page, and nothing is saved."""
    form = SheetUploadForm()
    problems = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            counts = importer(upload.stream, Path((upload.filename or "upload.xlsx").replace("\\", "/")).name)
        except SheetError as error:
            problems = error.problems
        else:
            db.session.commit()
            flash(_("Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.",
                    created=counts.created, updated=counts.updated, unchanged=counts.unchanged), "success")
            return redirect(done_url)
    return render_template("enterprises/import.html", form=form, problems=problems, enterprise=enterprise)


@bp.route("/import", methods=["GET", "POST"])
@roles_required("admin")
def import_enterprises_page():
    return _sheet_upload(lambda stream, name: import_enterprises(db.session, stream, name),
                         url_for("enterprises.index"))


@bp.route("/import-template/<any(enterprises, roster):kind>.xlsx")
@roles_required("admin", "inspector", "enterprise")
def import_template(kind: str):
    """An empty workbook with the columns an import expects, and an example row."""
    workbook = BytesIO()
    write_template(SHEET_KINDS[kind], workbook)
    workbook.seek(0)
    return send_file(workbook, download_name=f"{kind}.xlsx", as_attachment=True,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/<token>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit(token: str):
    enterprise = enterprise_or_404(token)
    form = _form(enterprise)
    if form.validate_on_submit():
        clash = db.session.scalar(select(Enterprise.id).where(Enterprise.credit_code == form.credit_code.data,
                                                              Enterprise.id != enterprise.id))
        if clash:
            form.credit_code.errors.append(_("An enterprise with this code already exists."))
        else:
            form.populate_obj(enterprise)
            db.session.commit()
            flash(_("Enterprise saved."), "success")
            return redirect(url_for("enterprises.show", token=enterprise.qr_token))
    return render_template("enterprises/edit.html", form=form, enterprise=enterprise)


@bp.route("/<token>")
@roles_required("admin", "inspector", "enterprise")
def show(token: str):
    enterprise = enterprise_or_404(token)
    names = dict(db.session.execute(select(Industry.code, Industry.name)).all())
    drills = db.session.scalars(select(DrillRun).join(Inspection).where(
        Inspection.enterprise_id == enterprise.id, DrillRun.status == "finished").order_by(DrillRun.finished_at.desc()))
    return render_template("enterprises/show.html", enterprise=enterprise, industry_names=names,
                           certificates=roster_checks(enterprise.workers, local_today()),
                           state_labels=CERTIFICATE_STATE_LABELS, drills=list(drills))


@bp.route("/<token>/poster.pdf")
@roles_required("admin", "inspector", "enterprise")
def poster(token: str):
    """The entrance poster whose QR code opens /e/<token>; enterprise users may print their own."""
    enterprise = enterprise_or_404(token)
    url = url_for("inspections.scan", token=token, _external=True)
    return send_pdf(lambda font: enterprise_poster(enterprise.name, enterprise.county, url, font),
                    f"入企扫码-{enterprise.name}.pdf", url_for("enterprises.show", token=token))


@bp.route("/<token>/workers/new", methods=["GET", "POST"])
@roles_required("admin", "inspector", "enterprise")
def add_worker_page(token: str):
    enterprise = enterprise_or_404(token)
    form = WorkerForm()
    roles = db.session.execute(select(Role.code, Role.name).order_by(Role.position)).all()
    categories = db.session.execute(select(SpecialOperationCategory.code, SpecialOperationCategory.name)
                                    .order_by(SpecialOperationCategory.number)).all()
    form.role_code.choices = [SelectChoice(code, name) for code, name in roles]
    none = [SelectChoice("", _("None"))]
    form.required_category.choices = none + [SelectChoice(code, name) for code, name in categories]
    form.certificate_category.choices = list(form.required_category.choices)
    if form.validate_on_submit():
        try:
            add_worker(db.session, enterprise, name=form.name.data, role_code=form.role_code.data,
                       post=form.post.data or "", required_category=form.required_category.data,
                       id_number=form.id_number.data or "", certificate=form.certificate(),
                       hash_key=current_app.config["QUIZAPP_ID_HASH_KEY"].encode())
        except RosterError as error:
            getattr(form, error.field).errors.append(translate_message(error.message))
        else:
            db.session.commit()
            flash(_("%(name)s is on the roster.", name=form.name.data), "success")
            return redirect(_back_to_inspection(enterprise) or url_for("enterprises.show", token=enterprise.qr_token))
    return render_template("enterprises/add_worker.html", form=form, enterprise=enterprise)


def _back_to_inspection(enterprise: Enterprise) -> str | None:
    """The inspection page the person was added from (``?inspection=TOKEN``), if it is this enterprise's."""
    inspection = db.session.scalar(select(Inspection).where(Inspection.public_token == request.args.get("inspection"),
                                                            Inspection.enterprise_id == enterprise.id))
    return url_for("inspections.show", token=inspection.public_token) if inspection else None


@bp.route("/<token>/workers/<worker>")
@roles_required("admin", "inspector", "enterprise")
def worker_page(token: str, worker: str):
    """One person: the record with the ID-card number masked, certificates, official results; for admins, the
    download of everything held on them and the erasure. Erased people have no page."""
    enterprise = enterprise_or_404(token)
    person = db.first_or_404(select(Worker).where(Worker.public_token == worker, Worker.enterprise_id == enterprise.id,
                                                  Worker.erased_at.is_(None)))
    results = db.session.scalars(select(Attempt).join(Inspection, Inspection.id == Attempt.inspection_id)
                                 .where(Attempt.worker_id == person.id, Attempt.status == "final")
                                 .order_by(Inspection.local_date.desc(), Attempt.id.desc())
                                 .options(joinedload(Attempt.inspection)))
    role = db.session.scalar(select(Role.name).where(Role.code == person.role_code))
    return render_template("enterprises/worker.html", enterprise=enterprise, worker=person,
                           role=role or person.role_code, certificates=roster_checks([person], local_today()),
                           state_labels=CERTIFICATE_STATE_LABELS, results=list(results),
                           erase_form=EraseWorkerForm() if current_user.role == "admin" else None)


@bp.route("/<token>/workers/import", methods=["GET", "POST"])
@roles_required("admin", "inspector", "enterprise")
def import_roster_page(token: str):
    enterprise = enterprise_or_404(token)
    hash_key = current_app.config["QUIZAPP_ID_HASH_KEY"].encode()
    return _sheet_upload(lambda stream, name: import_roster(db.session, enterprise, stream, name, hash_key=hash_key),
                         url_for("enterprises.show", token=token), enterprise)
