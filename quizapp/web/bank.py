"""Bank administration: list and search, a question's history, editing, and file upload."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quizapp.bank.edit import save_question_edit
from quizapp.bank.formats import READERS, load_upload
from quizapp.bank.importer import import_bank
from quizapp.bank.search import question_query
from quizapp.bank.taxonomy import TaxonomyIndex
from quizapp.bank.validate import check_question
from quizapp.extensions import db
from quizapp.forms.bank import QuestionEditForm, UploadForm, filters_from_args
from quizapp.models import Industry, Question, QuestionVersion, Role, Topic
from quizapp.web.access import roles_required

bp = Blueprint("bank", __name__, url_prefix="/bank")


def _taxonomy_choices() -> dict[str, list]:
    return {
        name: db.session.execute(select(model.code, model.name).order_by(model.position)).all()
        for name, model in (("roles", Role), ("industries", Industry), ("topics", Topic))
    }


@bp.route("/")
@roles_required("admin")
def index():
    filters = filters_from_args(request.args)
    page = db.paginate(question_query(filters).options(selectinload(Question.current_version)),
                       per_page=current_app.config["QUIZAPP_PAGE_SIZE"], error_out=False)
    return render_template("bank/index.html", page=page, filters=filters, choices=_taxonomy_choices())


@bp.route("/q/<code>")
@roles_required("admin")
def question(code: str):
    item = db.first_or_404(select(Question).where(Question.code == code))
    versions = db.session.scalars(
        select(QuestionVersion).where(QuestionVersion.question_id == item.id)
        .order_by(QuestionVersion.number.desc())
        .options(selectinload(QuestionVersion.roles), selectinload(QuestionVersion.industries),
                 selectinload(QuestionVersion.topics), selectinload(QuestionVersion.basis))
    ).all()
    return render_template("bank/question.html", question=item, versions=versions)


@bp.route("/q/<code>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit(code: str):
    item = db.first_or_404(select(Question).where(Question.code == code))
    choices = _taxonomy_choices()
    form = QuestionEditForm.for_question(item, choices)
    if form.validate_on_submit():
        spec, problems = check_question(form.raw_question(item), TaxonomyIndex.from_db(db.session))
        if spec is None:
            form.attach_problems(problems)
        else:
            if save_question_edit(db.session, item, spec, current_user.id):
                db.session.commit()
                flash(_("Saved as version %(number)d.", number=item.current_number), "success")
            else:
                flash(_("Nothing changed."), "info")
            return redirect(url_for("bank.question", code=item.code))
    return render_template("bank/edit.html", form=form, question=item)


@bp.route("/upload", methods=["GET", "POST"])
@roles_required("admin")
def upload():
    form = UploadForm()
    report = summary = None
    if form.validate_on_submit():
        upload = form.file.data
        if Path(upload.filename or "").suffix.lower() not in READERS:
            form.file.errors.append(_("Upload a .yaml, .xlsx or .gift file."))
        else:
            bank = load_upload(db.session, upload.filename, upload.save)
            report = bank.problems
            if bank.ok and form.dry_run.data:
                flash(_("The file is valid: %(count)d questions. Nothing was imported (check only).",
                        count=len(bank.questions)), "success")
            elif bank.ok:
                summary = import_bank(db.session, bank, created_by_id=current_user.id)
                db.session.commit()
    return render_template("bank/upload.html", form=form, report=report, summary=summary)
