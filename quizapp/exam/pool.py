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

from sqlalchemy import Select, and_, exists, select, union_all
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


def _eligible(session: Session, role: str, industries: Iterable[str], blueprint: Blueprint,
              answered: set[int]) -> Select:
    """The eligible current versions. Role and industries are matched by id, not by joining their codes:
    PostgreSQL then estimates from the tag columns' own statistics (通用 is on most questions) instead of
    guessing, which once made it scan every tag row for a rare type (300 ms instead of 10)."""
    low, high = blueprint.difficulty
    role_id = session.scalar(select(Role.id).where(Role.code == role))
    industry_ids = list(session.scalars(select(Industry.id).where(Industry.code.in_({*industries, GENERAL_INDUSTRY}))))
    query = (
        select(QuestionVersion.question_id, QuestionVersion.id, QuestionVersion.type, QuestionVersion.difficulty,
               QuestionVersion.options, QuestionVersion.draw_key)
        .join(Question, and_(Question.id == QuestionVersion.question_id,
                             Question.current_number == QuestionVersion.number, Question.status == "active"))
        .where(QuestionVersion.difficulty.between(low, high),
               exists().where(version_roles.c.version_id == QuestionVersion.id, version_roles.c.role_id == role_id),
               exists().where(version_industries.c.version_id == QuestionVersion.id,
                              version_industries.c.industry_id.in_(industry_ids)))
    )
    if blueprint.topics:
        query = query.where(exists().where(
            version_topics.c.version_id == QuestionVersion.id, version_topics.c.topic_id == Topic.id,
            Topic.code.in_(list(blueprint.topics))))
    if answered:
        query = query.where(QuestionVersion.question_id.not_in(answered))
    return query


def _windows(session: Session, eligible: Select, sizes: Mapping[str, tuple[int, int]]) -> dict[str, list]:
    """For each type, the ``size`` eligible versions from ``start`` on the circle of draw keys.

    ``sizes`` maps a type to (start, size). One query reads every type's versions from its start on; a
    second, only for the types that ran past the end of the circle, reads on from key 0.
    """
    def read(wanted: Mapping[str, int], after: bool) -> dict[str, list]:
        parts = []
        for kind, size in wanted.items():
            start = sizes[kind][0]
            lap = QuestionVersion.draw_key >= start if after else QuestionVersion.draw_key < start
            parts.append(select(eligible.where(QuestionVersion.type == kind, lap)
                                .order_by(QuestionVersion.draw_key).limit(size).subquery()))
        found: dict[str, list] = {kind: [] for kind in wanted}
        for row in session.execute(union_all(*parts)) if parts else ():
            found[row.type].append(row)
        return {kind: sorted(rows, key=lambda row: row.draw_key) for kind, rows in found.items()}

    windows = read({kind: size for kind, (_, size) in sizes.items()}, after=True)
    short = {kind: sizes[kind][1] - len(rows) for kind, rows in windows.items() if len(rows) < sizes[kind][1]}
    for kind, rows in read(short, after=False).items():
        windows[kind] += rows
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
    eligible = _eligible(session, role, industries, blueprint, set(answered))
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
