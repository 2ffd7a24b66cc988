"""Drill template administration: the list, a template with its versions, and editing it as YAML."""

from __future__ import annotations

from typing import NamedTuple

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quizapp.bank.drills import drill_yaml, read_drill_text
from quizapp.bank.taxonomy import TaxonomyIndex
from quizapp.exam.drill_templates import save_drill_edit
from quizapp.extensions import db
from quizapp.forms.drills import DrillTemplateForm
from quizapp.models import DrillTemplate, DrillTemplateVersion, Industry, LegalSource, Role
from quizapp.web.access import roles_required

bp = Blueprint("drill_templates", __name__, url_prefix="/drill-templates")

SCOPE_LABELS = {"single": _l("Single drill"), "comprehensive": _l("Comprehensive drill")}
FORM_LABELS = {"practical": _l("Practical drill"), "tabletop": _l("Tabletop drill")}


class Citation(NamedTuple):
    """A version's legal citation in the shape the ``citation`` template filter reads."""

    source: LegalSource
    article: str


def _template_or_404(code: str) -> DrillTemplate:
    return db.first_or_404(select(DrillTemplate).where(DrillTemplate.code == code))


def _names(model: type[Industry] | type[Role]) -> dict[str, str]:
    return dict(db.session.execute(select(model.code, model.name)).all())


@bp.route("/")
@roles_required("admin")
def index():
    templates = db.session.scalars(
        select(DrillTemplate).options(selectinload(DrillTemplate.current_version))).all()
    templates = sorted(templates, key=lambda t: (t.status != "active", t.current_version.content["title"]))
    return render_template("drills/index.html", templates=templates, industry_names=_names(Industry),
                           form_labels=FORM_LABELS)


@bp.route("/<code>")
@roles_required("admin")
def show(code: str):
    template = _template_or_404(code)
    versions = db.session.scalars(
        select(DrillTemplateVersion).where(DrillTemplateVersion.template_id == template.id)
        .order_by(DrillTemplateVersion.number.desc())
    ).all()
    sources = {source.code: source for source in db.session.scalars(select(LegalSource))}
    citations = {version.id: [Citation(sources[c["source"]], c["article"]) for c in version.content["basis"]]
                 for version in versions}
    return render_template("drills/show.html", template=template, versions=versions, citations=citations,
                           industry_names=_names(Industry), role_names=_names(Role),
                           scope_labels=SCOPE_LABELS, form_labels=FORM_LABELS)


@bp.route("/<code>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit(code: str):
    template = _template_or_404(code)
    form = DrillTemplateForm(data={"text": drill_yaml(template.code, template.status,
                                                      template.current_version.content)})
    if form.validate_on_submit():
        spec, problems = read_drill_text(form.text.data, template.source_file or "",
                                         TaxonomyIndex.from_db(db.session), template.code)
        if spec is None:
            form.attach_problems(problems)
        else:
            if save_drill_edit(db.session, template, spec, current_user.id):
                db.session.commit()
                flash(_("Saved as version %(number)d.", number=template.current_number), "success")
            else:
                flash(_("Nothing changed."), "info")
            return redirect(url_for("drill_templates.show", code=template.code))
    return render_template("drills/edit.html", form=form, template=template)
