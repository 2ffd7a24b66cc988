"""The questions a worker may be asked: active, for their role, for the enterprise's industries or 通用."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from quizapp.exam.assemble import Candidate
from quizapp.exam.blueprint import GENERAL_INDUSTRY
from quizapp.models import Industry, Question, QuestionVersion, Role, Topic
from quizapp.models.question import version_industries, version_roles, version_topics


def eligible_candidates(session: Session, role: str, industries: Iterable[str],
                        types: Iterable[str]) -> list[Candidate]:
    """Every current version that may be drawn for ``role`` in an enterprise of ``industries``."""
    industry_codes = {*industries, GENERAL_INDUSTRY}
    for_role = exists().where(version_roles.c.version_id == QuestionVersion.id,
                              version_roles.c.role_id == Role.id, Role.code == role)
    for_industry = exists().where(version_industries.c.version_id == QuestionVersion.id,
                                  version_industries.c.industry_id == Industry.id,
                                  Industry.code.in_(industry_codes))
    rows = session.execute(
        select(Question.id, QuestionVersion.id, QuestionVersion.type, QuestionVersion.difficulty,
               QuestionVersion.options)
        .join(QuestionVersion, and_(QuestionVersion.question_id == Question.id,
                                    QuestionVersion.number == Question.current_number))
        .where(Question.status == "active", QuestionVersion.type.in_(list(types)), for_role, for_industry)
    ).all()
    topics: dict[int, list[str]] = defaultdict(list)
    version_ids = [row[1] for row in rows]
    if version_ids:
        for version_id, code in session.execute(
                select(version_topics.c.version_id, Topic.code).join(Topic, Topic.id == version_topics.c.topic_id)
                .where(version_topics.c.version_id.in_(version_ids)).order_by(Topic.position)):
            topics[version_id].append(code)
    return [Candidate(question_id, version_id, kind, tuple(topics[version_id]), difficulty, len(options or []))
            for question_id, version_id, kind, difficulty, options in rows]
