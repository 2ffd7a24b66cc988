"""Attempts against the real bundled bank: drawn, submitted once, scored, never changed afterwards."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp.exam.assemble import ShortageError
from quizapp.exam.attempts import AttemptConflict, AttemptError, start_attempt, submit_attempt
from quizapp.exam.blueprint import DEFAULT_BLUEPRINT, Blueprint
from quizapp.exam.inspections import check_in, local_today
from quizapp.exam.scoring import ScoringError
from quizapp.models import Attempt, Enterprise, Finding, QuestionVersion, Worker
from quizapp.models.attempt import FinalAttemptError
from tests.conftest import right_answers_as_shown


@pytest.fixture
def scene(db, imported_bank, enterprise, make_user):
    enterprise.industry_codes = ["nonferrous", "combustible-dust"]
    inspector = make_user("inspector")
    worker = Worker(enterprise=enterprise, name="赵师傅", role_code="worker", post="抛光")
    db.session.add(worker)
    inspection = check_in(db.session, enterprise, inspector)
    db.session.commit()
    return inspection, worker, inspector


def start(db, scene, **kwargs):
    inspection, worker, inspector = scene
    options = {"client_id": str(uuid.uuid4()), "inspection": inspection, "worker": worker, "examiner": inspector,
               "blueprint": DEFAULT_BLUEPRINT, **kwargs}
    attempt = start_attempt(db.session, **options)
    db.session.commit()
    return attempt


def test_a_paper_meets_the_blueprint_for_the_workers_role_and_industries(db, scene):
    attempt = start(db, scene)
    assert [item["type"] for item in attempt.items] == [
        kind for kind, count in DEFAULT_BLUEPRINT.items.items() for _ in range(count)]
    versions = [db.session.get(QuestionVersion, item["version_id"]) for item in attempt.items]
    for version in versions:
        assert "worker" in [role.code for role in version.roles]
        assert {"general", "nonferrous", "combustible-dust"} & {i.code for i in version.industries}


def test_the_same_seed_draws_the_same_paper(db, scene):
    first = start(db, scene, seed=20260601)
    inspection, worker, inspector = scene
    other = Worker(enterprise=inspection.enterprise, name="钱师傅", role_code="worker")
    db.session.add(other)
    second = start(db, (inspection, other, inspector), seed=20260601)
    assert first.items == second.items


def test_starting_twice_with_one_request_id_draws_once(db, scene):
    attempt = start(db, scene)
    inspection, worker, inspector = scene
    again = start_attempt(db.session, client_id=attempt.client_id, inspection=inspection, worker=worker,
                          examiner=inspector, blueprint=DEFAULT_BLUEPRINT)
    assert again.id == attempt.id
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_a_worker_is_not_asked_again_what_they_answered_this_year(db, scene):
    first = start(db, scene)
    second = start(db, scene)
    assert not {i["question_id"] for i in first.items} & {i["question_id"] for i in second.items}


def test_submit_scores_and_repeating_it_changes_nothing(db, scene):
    attempt = start(db, scene)
    answers = right_answers_as_shown(db, attempt)
    submission = str(uuid.uuid4())
    submit_attempt(db.session, attempt, submission_id=submission, responses=answers)
    db.session.commit()
    assert (attempt.status, attempt.score, attempt.passed) == ("final", 100.0, True)
    again = submit_attempt(db.session, attempt, submission_id=submission, responses=answers)
    assert again is attempt and attempt.score == 100.0
    with pytest.raises(AttemptConflict):
        submit_attempt(db.session, attempt, submission_id=submission, responses=[None] * len(answers))
    with pytest.raises(AttemptConflict):
        submit_attempt(db.session, attempt, submission_id=str(uuid.uuid4()), responses=answers)


def test_a_failed_exam_becomes_a_finding_with_a_reexam_date(db, scene):
    attempt = start(db, scene)
    submit_attempt(db.session, attempt, submission_id=str(uuid.uuid4()), responses=[None] * len(attempt.items))
    db.session.commit()
    assert (attempt.score, attempt.passed) == (0.0, False)
    finding = db.session.scalar(select(Finding))
    assert (finding.kind, finding.worker_id, finding.due_on) == (
        "failed_exam", attempt.worker_id, local_today() + timedelta(days=30))
    assert finding.basis == [{"source": "work-safety-law", "article": "28"},
                             {"source": "work-safety-law", "article": "97(三)"}]


def test_a_final_attempt_is_never_changed(db, scene):
    attempt = start(db, scene)
    submit_attempt(db.session, attempt, submission_id=str(uuid.uuid4()), responses=right_answers_as_shown(db, attempt))
    db.session.commit()
    attempt.score = 10.0
    with pytest.raises(FinalAttemptError):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(FinalAttemptError):
        db.session.delete(attempt)
        db.session.flush()
    db.session.rollback()


def test_tampered_answers_are_refused_and_nothing_is_stored(db, scene):
    attempt = start(db, scene)
    answers = right_answers_as_shown(db, attempt)
    answers[0] = "Z"  # the first item is single choice: no option Z
    with pytest.raises(ScoringError):
        submit_attempt(db.session, attempt, submission_id=str(uuid.uuid4()), responses=answers)
    db.session.rollback()
    assert db.session.get(Attempt, attempt.id).status == "in_progress"
    with pytest.raises(ScoringError):
        submit_attempt(db.session, attempt, submission_id=str(uuid.uuid4()), responses=answers[:3])


def test_refusals_closed_inspection_other_enterprise_and_shortage(db, scene):
    inspection, worker, inspector = scene
    stranger_enterprise = Enterprise(credit_code="91371300MA3C8H1X3T", name="另一家公司")
    stranger = Worker(enterprise=stranger_enterprise, name="孙某", role_code="worker")
    db.session.add(stranger)
    with pytest.raises(AttemptError):
        start(db, (inspection, stranger, inspector))
    with pytest.raises(ShortageError) as error:
        start(db, scene, blueprint=Blueprint("too big", {"practical": 500}))
    assert list(error.value.missing) == ["practical"]
    attempt = start(db, scene)
    inspection.status = "closed"
    db.session.commit()
    with pytest.raises(AttemptError):
        start(db, scene)
    with pytest.raises(AttemptError):
        submit_attempt(db.session, attempt, submission_id=str(uuid.uuid4()),
                       responses=right_answers_as_shown(db, attempt))


def test_a_final_attempt_leaves_one_statistics_row_per_item(db, scene):
    from quizapp.models import AttemptItem

    attempt = start(db, scene)
    submit_attempt(db.session, attempt, submission_id=str(uuid.uuid4()), responses=right_answers_as_shown(db, attempt))
    db.session.commit()
    rows = db.session.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt.id)
                              .order_by(AttemptItem.position)).all()
    assert [row.question_id for row in rows] == [item["question_id"] for item in attempt.items]
    assert [row.fraction for row in rows] == attempt.item_scores
    inspection, worker, _ = scene
    assert {(row.enterprise_id, row.worker_id, row.role_code, row.answered_on) for row in rows} == {
        (inspection.enterprise_id, worker.id, "worker", inspection.local_date)}
