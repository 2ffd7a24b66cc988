"""Drawing a paper from the bank in the database, without loading the whole pool.

The pool for a worker is the active questions for their role whose industries meet the enterprise's
industries or 通用. Every question version has a fixed random ``draw_key``; for each question type the
seed picks a point on that circle of keys and the draw reads the next few eligible versions from an index
(type, draw_key), wrapping around at the end. Each version is equally likely to be in that window, the
cost does not grow with the size of the bank, and the same seed over the same bank reads the same window,
so it gives the same paper. Within the window, ``quizapp.exam.assemble.pick`` spreads the paper over
topics and prefers questions this enterprise has not seen lately.

When the window, wrapped all the way round, holds fewer versions than the blueprint asks for, it holds
the whole pool of that type, so the shortage it reports is exact.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping

from sqlalchemy import Select, and_, exists, literal, select, union_all
from sqlalchemy.orm import Session

from quizapp.exam.assemble import Candidate, Paper, check_shortage, pick
from quizapp.exam.blueprint import GENERAL_INDUSTRY, Blueprint
from quizapp.models import Industry, Question, QuestionVersion, Role, Topic
from quizapp.models.question import DRAW_KEY_RANGE, version_industries, version_roles, version_topics

WINDOW_PER_ITEM = 5
"""How many eligible versions are read for each item a blueprint asks for (plus ``WINDOW_EXTRA``): the
choice among them spreads the paper over topics and steers round recently used questions."""
WINDOW_EXTRA = 10


def extended_weights(session: Session, weights: Mapping[str, int]) -> dict[str, int]:
    """A blueprint's topic weights, applied to the sub-topics of every weighted topic too."""
    if not weights:
        return {}
    parent = Topic.__table__.alias("parent")
    rows = session.execute(select(Topic.code, parent.c.code).join(parent, parent.c.id == Topic.parent_id, isouter=True)
                           .where(Topic.code.in_(list(weights)) | parent.c.code.in_(list(weights))))
    return {code: weights.get(code) or weights[parent_code] for code, parent_code in rows}


def _eligible(role: str, industries: Iterable[str], blueprint: Blueprint, answered: set[int]) -> Select:
    low, high = blueprint.difficulty
    query = (
        select(QuestionVersion.question_id, QuestionVersion.id, QuestionVersion.type, QuestionVersion.difficulty,
               QuestionVersion.options, QuestionVersion.draw_key)
        .join(Question, and_(Question.id == QuestionVersion.question_id,
                             Question.current_number == QuestionVersion.number, Question.status == "active"))
        .where(QuestionVersion.difficulty.between(low, high),
               exists().where(version_roles.c.version_id == QuestionVersion.id,
                              version_roles.c.role_id == select(Role.id).where(Role.code == role).scalar_subquery()),
               exists().where(version_industries.c.version_id == QuestionVersion.id,
                              version_industries.c.industry_id.in_(
                                  select(Industry.id).where(Industry.code.in_({*industries, GENERAL_INDUSTRY})))))
    )
    if blueprint.topics:
        query = query.where(exists().where(
            version_topics.c.version_id == QuestionVersion.id, version_topics.c.topic_id == Topic.id,
            Topic.code.in_(list(blueprint.topics))))
    if answered:
        query = query.where(QuestionVersion.question_id.not_in(answered))
    return query


def _windows(session: Session, eligible: Select, sizes: Mapping[str, tuple[int, int]]) -> dict[str, list]:
    """For each type, the ``size`` eligible versions from ``start`` on the circle of draw keys, in one query.

    ``sizes`` maps a type to (start, size). Each type contributes the versions from ``start`` on and, for the
    wrap past the end, those from 0; only the first ``size`` of the two are kept.
    """
    parts = []
    for kind, (start, size) in sizes.items():
        of_kind = eligible.where(QuestionVersion.type == kind).order_by(QuestionVersion.draw_key).limit(size)
        for lap, where in enumerate((QuestionVersion.draw_key >= start, QuestionVersion.draw_key < start)):
            part = of_kind.where(where).add_columns(literal(lap).label("lap")).subquery()
            parts.append(select(part))
    if not parts:
        return {}
    rows = session.execute(union_all(*parts)).all()
    windows: dict[str, list] = {kind: [] for kind in sizes}
    for row in sorted(rows, key=lambda row: (row.lap, row.draw_key)):
        if len(windows[row.type]) < sizes[row.type][1]:
            windows[row.type].append(row)
    return windows


def _topics_of(session: Session, version_ids: list[int]) -> dict[int, tuple[str, ...]]:
    topics: dict[int, list[str]] = defaultdict(list)
    if version_ids:
        for version_id, code in session.execute(
                select(version_topics.c.version_id, Topic.code).join(Topic, Topic.id == version_topics.c.topic_id)
                .where(version_topics.c.version_id.in_(version_ids)).order_by(Topic.position)):
            topics[version_id].append(code)
    return {version_id: tuple(codes) for version_id, codes in topics.items()}


def draw_paper(session: Session, role: str, industries: Iterable[str], blueprint: Blueprint, seed: int,
               answered: Iterable[int] = (), recently_used: Iterable[int] = (), allow_short: bool = False) -> Paper:
    """Draw a paper for a worker of ``role`` in an enterprise of ``industries`` (see the module's note)."""
    rng = random.Random(seed)
    eligible = _eligible(role, industries, blueprint, set(answered))
    windows = _windows(session, eligible, {kind: (rng.randrange(DRAW_KEY_RANGE), count * WINDOW_PER_ITEM + WINDOW_EXTRA)
                                           for kind, count in blueprint.items.items() if count})
    check_shortage({kind: len(windows.get(kind, ())) for kind in blueprint.items}, blueprint, allow_short)
    topics = _topics_of(session, [row.id for rows in windows.values() for row in rows])
    weights = extended_weights(session, blueprint.topic_weights)
    stale = set(recently_used)
    items = []
    for kind, rows in windows.items():
        pool = [Candidate(row.question_id, row.id, kind, topics.get(row.id, ()), row.difficulty, len(row.options or []))
                for row in rows]
        items += pick(pool, blueprint.items[kind], rng, stale, weights)
    return Paper(seed, tuple(items))
