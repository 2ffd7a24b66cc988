"""Practice quizzes: an enterprise makes them for its staff on its weak topics; a worker takes one on the tablet
and sees the right answers at once. Open to whoever may see the enterprise (its own users, inspectors, admins);
another enterprise's users get 404. Results stay apart from official ones (see quizapp.exam.practice).
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from quizapp.analytics.enterprise import topic_accuracy
from quizapp.exam.attempts import AttemptError
from quizapp.exam.papers import items_view, result_view
from quizapp.exam.practice import create_practice, request_id_for, submit_practice, weak_topics
from quizapp.exam.scoring import ScoringError
from quizapp.extensions import db
from quizapp.forms.exams import AnswersForm, answers_from
from quizapp.forms.practice import PracticeForm
from quizapp.models import Enterprise, PracticeQuiz, Role, Topic, Worker
from quizapp.web.access import roles_required
from quizapp.web.enterprises import enterprise_or_404
from quizapp.web.i18n import translate_message
from quizapp.web.review import VIEWERS
from quizapp.web.templating import new_request_id

bp = Blueprint("practice", __name__, url_prefix="/enterprises/<token>/practice")


def _form(enterprise: Enterprise) -> tuple[PracticeForm, list[Worker]]:
    staff = list(db.session.scalars(select(Worker).where(Worker.enterprise_id == enterprise.id,
                                                         Worker.erased_at.is_(None)).order_by(Worker.name)))
    roles = dict(db.session.execute(select(Role.code, Role.name)).all())
    form = PracticeForm()

    def label(worker: Worker) -> str:  # the post says most on site; the role when no post was given
        return f"{worker.name}（{worker.post or roles.get(worker.role_code, worker.role_code)}）"

    form.workers.choices = [SelectChoice(worker.public_token, label(worker)) for worker in staff]
    form.topics.choices = [SelectChoice(code, name) for code, name in db.session.execute(
        select(Topic.code, Topic.name).where(Topic.parent_id.is_(None)).order_by(Topic.position))]
    return form, staff


@bp.route("", methods=["GET", "POST"])
@roles_required(*VIEWERS)
def index(token: str):
    """Make practice quizzes (the weakest topics ticked to begin with) and list the ones made, newest first."""
    enterprise = enterprise_or_404(token)
    form, staff = _form(enterprise)
    report = topic_accuracy(db.session, enterprise.id)
    if form.validate_on_submit():
        chosen = [worker for worker in staff if worker.public_token in form.workers.data]
        try:
            quizzes = [create_practice(db.session, client_id=request_id_for(form.client_id.data, worker),
                                       enterprise=enterprise, worker=worker, created_by=current_user,
                                       topics=form.topics.data, length=form.length.data) for worker in chosen]
        except AttemptError as error:
            db.session.rollback()
            flash(translate_message(error.args[0]), "error")
        else:
            db.session.commit()
            if len(quizzes) == 1:
                return redirect(url_for("practice.take", token=token, quiz=quizzes[0].public_token))
            flash(_("%(count)d practice quizzes made.", count=len(quizzes)), "success")
            return redirect(url_for("practice.index", token=token))
    elif request.method == "GET":
        form.topics.data = weak_topics(report)
    form.client_id.data = new_request_id()
    page = db.paginate(select(PracticeQuiz).where(PracticeQuiz.enterprise_id == enterprise.id)
                       .order_by(PracticeQuiz.started_at.desc(), PracticeQuiz.id.desc()),
                       per_page=current_app.config["QUIZAPP_PAGE_SIZE"], error_out=False)
    return render_template("practice/index.html", enterprise=enterprise, form=form, page=page,
                           weak={topic.code: topic.figures.overall for topic in report.topics})


def _quiz_or_404(enterprise: Enterprise, token: str) -> PracticeQuiz:
    return db.first_or_404(select(PracticeQuiz).where(PracticeQuiz.public_token == token,
                                                      PracticeQuiz.enterprise_id == enterprise.id))


@bp.route("/<quiz>", methods=["GET", "POST"])
@roles_required(*VIEWERS)
def take(token: str, quiz: str):
    """The worker answers on the tablet, one question per screen; once handed in, the result with explanations."""
    enterprise = enterprise_or_404(token)
    found = _quiz_or_404(enterprise, quiz)
    shown = items_view(db.session, found.items)
    form = AnswersForm()
    part = list(range(len(found.items)))
    if form.validate_on_submit():  # a retry after the result is stored changes nothing; other answers are refused
        try:
            answers = answers_from(request.form, shown, part)
            submit_practice(db.session, found, submission_id=form.submission_id.data,
                            responses=[answers[index] for index in part])
        except (AttemptError, ScoringError) as error:
            db.session.rollback()
            flash(translate_message(error.args[0]), "error")
        else:
            db.session.commit()
        return redirect(url_for("practice.take", token=token, quiz=quiz))
    if found.status == "final":
        return render_template("practice/result.html", enterprise=enterprise, quiz=found, shown=shown,
                               result=result_view(db.session, found))
    form.submission_id.data = new_request_id()
    return render_template("exams/take.html", attempt=found, part=part, form=form,
                           paper={"time_limit_minutes": 0, "items": shown}, practice=True)
