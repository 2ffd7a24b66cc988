"""Finding questions in the bank by tags and text, for the admin list and later for paper assembly."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, and_, exists, or_, select

from quizapp.models import Industry, Question, QuestionVersion, Role, Topic
from quizapp.models.question import version_industries, version_roles, version_topics


@dataclass
class QuestionFilters:
    role: str = ""
    industry: str = ""
    topic: str = ""
    type: str = ""
    difficulty: int | None = None
    status: str = ""
    text: str = ""


def _tagged(table, column, model, code: str):
    """Versions tagged with the term ``code``; a topic also matches its sub-topics."""
    term_ids = select(model.id).where(model.code == code)
    if model is Topic:
        term_ids = select(Topic.id).where(or_(Topic.code == code, Topic.parent_id.in_(term_ids)))
    return exists().where(table.c.version_id == QuestionVersion.id, column.in_(term_ids))


def question_query(filters: QuestionFilters) -> Select:
    """Questions with their current version, filtered and ordered by code."""
    query = (
        select(Question)
        .join(QuestionVersion, and_(QuestionVersion.question_id == Question.id,
                                    QuestionVersion.number == Question.current_number))
        .order_by(Question.code)
    )
    tag_filters = ((filters.role, version_roles, version_roles.c.role_id, Role),
                   (filters.industry, version_industries, version_industries.c.industry_id, Industry),
                   (filters.topic, version_topics, version_topics.c.topic_id, Topic))
    for code, table, column, model in tag_filters:
        if code:
            query = query.where(_tagged(table, column, model, code))
    if filters.type:
        query = query.where(QuestionVersion.type == filters.type)
    if filters.difficulty:
        query = query.where(QuestionVersion.difficulty == filters.difficulty)
    if filters.status:
        query = query.where(Question.status == filters.status)
    if filters.text:
        pattern = "%" + filters.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(QuestionVersion.stem.ilike(pattern, escape="\\"),
                                Question.code.ilike(pattern, escape="\\"),
                                QuestionVersion.explanation.ilike(pattern, escape="\\")))
    return query
