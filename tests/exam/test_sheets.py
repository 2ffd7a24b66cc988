"""Paper sheets: drawn in batches, each the paper its seed gives, entered once as a paper attempt."""

from __future__ import annotations

import uuid
from collections import Counter

import pytest
from sqlalchemy import func, select

from quizapp.exam.attempts import AttemptConflict, AttemptError, start_attempt
from quizapp.exam.blueprint import default_blueprint
from quizapp.exam.inspections import check_in, close_inspection
from quizapp.exam.pool import draw_paper
from quizapp.exam.sheets import enter_sheet, print_batch, sheet_for_attempt
from quizapp.models import Attempt, Worker
from tests.conftest import right_answers_as_shown

ROLE = "worker"


@pytest.fixture
def scene(db, imported_bank, enterprise, make_user):
    enterprise.industry_codes = ["nonferrous"]
    inspector = make_user("inspector")
    worker = Worker(enterprise=enterprise, name="赵师傅", role_code=ROLE, post="抛光")
    manager = Worker(enterprise=enterprise, name="孙经理", role_code="principal")
    db.session.add_all([worker, manager])
    db.session.commit()
    return enterprise, inspector, worker, manager


def test_a_batch_holds_different_papers_each_meeting_the_blueprint(db, scene):
    enterprise, inspector, _, _ = scene
    blueprint = default_blueprint(ROLE)
    sheets = print_batch(db.session, enterprise=enterprise, role=ROLE, count=5, blueprint=blueprint,
                         created_by=inspector)
    assert len({sheet.batch for sheet in sheets}) == 1 and len({sheet.token for sheet in sheets}) == 5
    papers = [tuple(item["question_id"] for item in sheet.items) for sheet in sheets]
    assert len(set(papers)) == 5
    for sheet in sheets:
        assert Counter(item["type"] for item in sheet.items) == Counter(blueprint.items)
    first = sheets[0]  # nothing before it to steer away from: exactly the paper its seed gives
    assert draw_paper(db.session, ROLE, enterprise.industry_codes, blueprint, first.seed).stored() == first.items


def test_entering_a_sheet_scores_it_once_as_a_paper_attempt(db, scene):
    enterprise, inspector, worker, manager = scene
    sheet = print_batch(db.session, enterprise=enterprise, role=ROLE, count=1, blueprint=default_blueprint(ROLE))[0]
    inspection = check_in(db.session, enterprise, inspector)
    with pytest.raises(AttemptError):
        enter_sheet(db.session, sheet, inspection=inspection, worker=manager, examiner=inspector,
                    submission_id=str(uuid.uuid4()), answers={})
    probe = Attempt(items=sheet.items)
    answers = dict(enumerate(right_answers_as_shown(db, probe)))
    submission = str(uuid.uuid4())
    attempt = enter_sheet(db.session, sheet, inspection=inspection, worker=worker, examiner=inspector,
                          submission_id=submission, answers=answers)
    db.session.commit()
    assert (attempt.mode, attempt.score, attempt.passed, sheet.attempt_id) == ("paper", 100.0, True, attempt.id)
    assert attempt.items == sheet.items and attempt.seed == sheet.seed
    again = enter_sheet(db.session, sheet, inspection=inspection, worker=worker, examiner=inspector,
                        submission_id=submission, answers=answers)
    assert again.id == attempt.id
    with pytest.raises(AttemptConflict):
        enter_sheet(db.session, sheet, inspection=inspection, worker=worker, examiner=inspector,
                    submission_id=str(uuid.uuid4()), answers={0: None})
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_a_sheet_printed_for_an_attempt_is_that_attempts_paper(db, scene):
    enterprise, inspector, worker, _ = scene
    inspection = check_in(db.session, enterprise, inspector)
    attempt = start_attempt(db.session, client_id=str(uuid.uuid4()), inspection=inspection, worker=worker,
                            examiner=inspector, blueprint=default_blueprint(ROLE), mode="paper")
    sheet = sheet_for_attempt(db.session, attempt, inspector)
    assert (sheet.items, sheet.seed, sheet.attempt_id) == (attempt.items, attempt.seed, attempt.id)
    close_inspection(db.session, inspection, inspector)
    with pytest.raises(AttemptError):
        enter_sheet(db.session, sheet, inspection=inspection, worker=worker, examiner=inspector,
                    submission_id=str(uuid.uuid4()), answers={})
