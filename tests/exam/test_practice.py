"""Practice quizzes: aimed at the weakest topics, drawn by the assembly engine, scored, and kept apart from
official results."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from quizapp.analytics.enterprise import topic_accuracy
from quizapp.exam.attempts import AttemptConflict, AttemptError
from quizapp.exam.blueprint import ROLE_BLUEPRINTS
from quizapp.exam.practice import (
    LENGTHS,
    PRACTICE_TYPES,
    create_practice,
    practice_blueprint,
    request_id_for,
    submit_practice,
    weak_topics,
)
from quizapp.models import Enterprise, PracticeQuiz, Topic, Worker
from quizapp.models.practice import FinalPracticeError
from quizapp.models.question import version_topics
from tests.analytics.test_enterprise_review import Scene, build_scene
from tests.conftest import right_answers_as_shown, table_counts

OFFICIAL_TABLES = ("attempts", "attempt_items", "topic_tallies", "findings", "inspections")


@pytest.fixture
def scene(db, imported_bank, enterprise, make_user) -> Scene:
    return build_scene(db, enterprise, make_user("inspector"))


def make(db, scene: Scene, name: str = "李", topics: list[str] | None = None, length: int = 10, **kwargs):
    quiz = create_practice(db.session, client_id=kwargs.pop("client_id", str(uuid.uuid4())),
                           enterprise=scene.enterprise, worker=scene.workers[name], created_by=scene.inspector,
                           topics=topics if topics is not None else ["law-responsibility"], length=length, **kwargs)
    db.session.commit()
    return quiz


@given(role=st.sampled_from(sorted(ROLE_BLUEPRINTS)), length=st.sampled_from(LENGTHS))
def test_a_practice_blueprint_has_the_length_asked_for_in_objective_items_only(role, length):
    official = ROLE_BLUEPRINTS[role]
    blueprint = practice_blueprint(official, ["law-responsibility"], length)
    assert sum(blueprint.items.values()) == length
    assert set(blueprint.items) <= set(PRACTICE_TYPES) & set(official.items)
    assert blueprint.topics == ("law-responsibility",) and blueprint.time_limit_minutes == 0
    assert (blueprint.pass_mark, blueprint.multiple_rule) == (official.pass_mark, official.multiple_rule)


def test_weak_topics_are_the_least_accurate_ones_with_mistakes(db, scene):
    report = topic_accuracy(db.session, scene.enterprise.id)
    rates = {topic.code: topic.figures.overall.rate for topic in report.topics}
    weak = weak_topics(report, limit=len(rates))
    assert weak == sorted((code for code, rate in rates.items() if rate < 1), key=rates.get)
    assert weak_topics(report)[:3] == weak[:3] and len(weak_topics(report)) <= 3
    for_leaders = weak_topics(report, role="team-leader", limit=len(rates))
    leader_rates = {topic.code: topic.figures.by_role["team-leader"].rate for topic in report.topics
                    if "team-leader" in topic.figures.by_role}
    assert set(for_leaders) == {code for code, rate in leader_rates.items() if rate < 1} | {
        code for code in weak if code not in leader_rates}


def test_a_practice_quiz_draws_objective_items_on_the_chosen_topics(db, scene):
    quiz = make(db, scene, topics=["law-responsibility", "hazard-management"], length=20)
    assert len(quiz.items) == 20 and {item["type"] for item in quiz.items} <= set(PRACTICE_TYPES)
    chosen = set(db.session.scalars(select(Topic.id).where(
        Topic.code.in_(["law-responsibility", "hazard-management"]) | Topic.parent_id.in_(
            select(Topic.id).where(Topic.code.in_(["law-responsibility", "hazard-management"]))))))
    for item in quiz.items:
        tagged = set(db.session.scalars(select(version_topics.c.topic_id)
                                        .where(version_topics.c.version_id == item["version_id"])))
        assert tagged & chosen, item
    assert quiz.topic_codes == ["law-responsibility", "hazard-management"] and quiz.status == "in_progress"


def test_the_same_request_makes_one_quiz_and_refuses_another_worker(db, scene):
    request_id = str(uuid.uuid4())
    first = make(db, scene, client_id=request_id)
    assert make(db, scene, client_id=request_id).id == first.id
    with pytest.raises(AttemptConflict):
        make(db, scene, name="赵", client_id=request_id)
    assert db.session.query(PracticeQuiz).count() == 1
    ids = {request_id_for(request_id, worker) for worker in scene.workers.values()}
    assert len(ids) == len(scene.workers) and request_id_for(request_id, scene.workers["李"]) in ids


def test_refusals(db, scene):
    other = Enterprise(credit_code="91371300MA3C8H1X3T", name="另一家企业")
    stranger = Worker(enterprise=other, name="外人", role_code="worker")
    empty = Topic(code="empty-topic", name="无题的主题", position=999)
    db.session.add_all([other, stranger, empty])
    db.session.commit()
    with pytest.raises(AttemptError, match="does not belong"):
        create_practice(db.session, client_id=str(uuid.uuid4()), enterprise=scene.enterprise, worker=stranger,
                        created_by=scene.inspector, topics=[], length=10)
    with pytest.raises(AttemptError, match="5, 10, 20 or 30"):
        make(db, scene, length=7)
    with pytest.raises(AttemptError, match="no questions"):
        make(db, scene, topics=["empty-topic"])
    db.session.rollback()
    assert db.session.query(PracticeQuiz).count() == 0


def test_practice_is_scored_idempotently_and_never_counts_as_official(db, scene):
    before_counts = {table: table_counts(db)[table] for table in OFFICIAL_TABLES}
    before_report = topic_accuracy(db.session, scene.enterprise.id)
    right = make(db, scene, name="李", topics=[])
    submission = str(uuid.uuid4())
    submit_practice(db.session, right, submission_id=submission, responses=right_answers_as_shown(db, right))
    db.session.commit()
    assert (right.score, right.passed, right.status) == (100.0, True, "final")
    assert submit_practice(db.session, right, submission_id=submission,
                           responses=right_answers_as_shown(db, right)).score == 100.0
    with pytest.raises(AttemptConflict):
        submit_practice(db.session, right, submission_id=submission, responses=[None] * len(right.items))
    blank = make(db, scene, name="钱")
    submit_practice(db.session, blank, submission_id=str(uuid.uuid4()), responses=[None] * len(blank.items))
    db.session.commit()
    assert (blank.score, blank.passed) == (0.0, False)
    assert {table: table_counts(db)[table] for table in OFFICIAL_TABLES} == before_counts  # no finding either
    assert topic_accuracy(db.session, scene.enterprise.id) == before_report
    blank.score = 100.0
    with pytest.raises(FinalPracticeError):
        db.session.commit()
    db.session.rollback()
