"""Blueprint (组卷方案) administration: every role's blueprint in effect, editing it, restoring the default."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from quizapp.exam.blueprint import restore_default, role_blueprint, role_blueprints, save_blueprint
from quizapp.extensions import db
from quizapp.forms.blueprints import MULTIPLE_RULE_LABELS, BlueprintForm
from quizapp.models import Role, Topic
from quizapp.web.access import roles_required

bp = Blueprint("blueprints", __name__, url_prefix="/blueprints")


def _role_or_404(code: str) -> Role:
    return db.first_or_404(select(Role).where(Role.code == code))


@bp.route("/")
@roles_required("admin")
def index():
    roles = db.session.scalars(select(Role).order_by(Role.position)).all()
    rows = list(zip(roles, role_blueprints(db.session, [role.code for role in roles]), strict=True))
    topic_names = dict(db.session.execute(select(Topic.code, Topic.name)).all())
    return render_template("blueprints/index.html", rows=rows, topic_names=topic_names,
                           rule_labels=MULTIPLE_RULE_LABELS)


@bp.route("/<role>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit(role: str):
    item = _role_or_404(role)
    in_effect = role_blueprint(db.session, role)
    # Weights are set on top-level topics; assembly carries a weight over to the sub-topics.
    topics = db.session.execute(select(Topic.code, Topic.name).where(Topic.parent_id.is_(None))
                                .order_by(Topic.position)).all()
    form = BlueprintForm.for_blueprint(in_effect.blueprint, topics)
    if form.validate_on_submit():
        save_blueprint(db.session, role, form.blueprint(), current_user.id)
        db.session.commit()
        flash(_("The blueprint for %(role)s is saved.", role=item.name), "success")
        return redirect(url_for("blueprints.index"))
    return render_template("blueprints/edit.html", form=form, role=item, in_effect=in_effect)


@bp.post("/<role>/restore")
@roles_required("admin")
def restore(role: str):
    item = _role_or_404(role)
    if restore_default(db.session, role):
        db.session.commit()
        flash(_("%(role)s is examined with the default blueprint again.", role=item.name), "success")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(url_for("blueprints.index"))
