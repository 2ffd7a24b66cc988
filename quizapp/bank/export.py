"""Reading the bank back out of the database in canonical form, for export and round trips."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from quizapp.bank.taxonomy import EXTRA_FIELDS, TaxonomySpec
from quizapp.bank.validate import QuestionSpec
from quizapp.models import Question, QuestionBasis, QuestionVersion
from quizapp.models.taxonomy import TAXONOMY_MODELS, Topic


def version_content(version: QuestionVersion) -> dict:
    """The canonical content of a stored version: the same dict the validator produced."""
    return {
        "type": version.type,
        "stem": version.stem,
        "options": list(version.options or []),
        "answer": version.answer,
        "key_points": list(version.key_points or []),
        "steps": list(version.steps or []),
        "explanation": version.explanation,
        "basis": [{"source": b.source.code, "article": b.article} for b in version.basis],
        "roles": [term.code for term in version.roles],
        "industries": [term.code for term in version.industries],
        "topics": [term.code for term in version.topics],
        "difficulty": version.difficulty,
    }


def load_specs(session: Session) -> list[QuestionSpec]:
    """Every question's current version as a QuestionSpec, ordered by code."""
    questions = session.scalars(
        select(Question).order_by(Question.code).options(
            selectinload(Question.current_version).options(
                selectinload(QuestionVersion.roles), selectinload(QuestionVersion.industries),
                selectinload(QuestionVersion.topics),
                selectinload(QuestionVersion.basis).joinedload(QuestionBasis.source),
            )
        )
    )
    return [
        QuestionSpec(q.code, q.status, version_content(q.current_version), q.source_file,
                     q.current_version.origin)
        for q in questions
    ]


def load_taxonomy(session: Session) -> TaxonomySpec:
    """The taxonomy in the database, shaped as taxonomy.yaml is read."""
    spec = TaxonomySpec()
    parent_codes = dict(session.execute(select(Topic.id, Topic.code)).all())
    for kind, model in TAXONOMY_MODELS.items():
        for row in session.scalars(select(model).order_by(model.position, model.id)):
            term = {"code": row.code, "name": row.name, "name_en": row.name_en, "position": row.position}
            for name in EXTRA_FIELDS[kind]:
                if name != "children" and hasattr(row, name):
                    term[name] = getattr(row, name)
            if kind == "topics":
                term["parent"] = parent_codes.get(row.parent_id)
            spec.terms[kind].append(term)
    return spec
