"""Drill runs: scored by the documented method, marks kept once each, deficiencies become findings."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from quizapp.exam.drill_runs import (
    DrillConflict,
    DrillError,
    finish_run,
    mark_step,
    rate_phase,
    record_drills_not_held,
    score_drill,
    start_clock,
    start_run,
)
from quizapp.exam.inspections import check_in, close_inspection
from quizapp.models import DrillTemplate, Finding, Worker
from quizapp.models.drill_run import DrillStepMark, FinishedDrillError

CODE = "DRILL-TABLETOP-REPORT"


@pytest.fixture
def run(db, imported_bank, enterprise, make_user):
    inspector = make_user("inspector")
    worker = Worker(enterprise=enterprise, name="赵班长", role_code="team-leader")
    db.session.add(worker)
    inspection = check_in(db.session, enterprise, inspector)
    template = db.session.scalar(select(DrillTemplate).where(DrillTemplate.code == CODE)).current_version
    drill = start_run(db.session, client_id=str(uuid.uuid4()), inspection=inspection, template=template,
                      examiner=inspector, participants=[worker])
    start_clock(db.session, drill, device_time=None)
    db.session.commit()
    return drill


def steps_of(drill) -> list[tuple[int, int, dict]]:
    return [(p, s, step) for p, phase in enumerate(drill.content["phases"]) for s, step in enumerate(phase["steps"])]


def mark_all(db, drill, mark: str = "done", overrides: dict | None = None) -> None:
    for phase, step, _ in steps_of(drill):
        chosen = (overrides or {}).get((phase, step), mark)
        mark_step(db.session, drill, client_id=str(uuid.uuid4()), phase=phase, step=step, mark=chosen,
                  elapsed_seconds=1.0)


def test_everything_done_and_performed_scores_100(db, run):
    mark_all(db, run)
    for phase in range(len(run.content["phases"])):
        rate_phase(db.session, run, phase, "P")
    result = finish_run(db.session, run)
    assert (result.score, result.passed, run.status) == (100.0, True, "finished")
    assert db.session.scalar(select(func.count()).select_from(Finding)) == 0


def test_the_score_follows_the_documented_weights(db, run):
    steps = steps_of(run)
    critical = [(p, s) for p, s, content in steps if content["critical"]]
    plain = [(p, s) for p, s, content in steps if not content["critical"]]
    mark_all(db, run, overrides={plain[0]: "wrong", critical[0]: "late"})
    weights = sum(2 if content["critical"] else 1 for _, _, content in steps)
    step_credit = (weights - 2 * 0.5 - 1 * 0.75) / weights
    expected = round(100 * (0.7 * step_credit + 0.3 * 0.75), 1)  # unrated phases count as S (0.75)
    assert score_drill(run.content, run).score == expected


def test_a_missed_critical_step_fails_the_drill_and_becomes_a_finding(db, run):
    critical = next((p, s) for p, s, content in steps_of(run) if content["critical"])
    mark_all(db, run, overrides={critical: "missed"})
    for phase in range(len(run.content["phases"])):
        rate_phase(db.session, run, phase, "P")
    result = finish_run(db.session, run)
    assert result.score >= 60 and not result.passed
    kinds = sorted(f.kind for f in db.session.scalars(select(Finding)))
    assert kinds == ["drill_failed", "drill_step_missed"]
    finding = db.session.scalar(select(Finding).where(Finding.kind == "drill_step_missed"))
    assert finding.basis == [{"source": "emergency-plan-rules", "article": "33"}]
    assert f"{critical[0] + 1}.{critical[1] + 1}" in finding.detail


def test_an_unmarked_step_counts_as_missed_and_a_done_after_the_target_as_late(db, run):
    phase, step, content = next(item for item in steps_of(run) if item[2].get("target_seconds"))
    mark_step(db.session, run, client_id=str(uuid.uuid4()), phase=phase, step=step, mark="done",
              elapsed_seconds=content["target_seconds"] + 1)
    results = {(r.phase, r.step): r.mark for r in score_drill(run.content, run).steps}
    assert results[(phase, step)] == "late"
    assert list(results.values()).count("missed") == len(results) - 1


def test_a_mark_sent_twice_is_kept_once_and_a_later_mark_replaces_it(db, run):
    mark_id = str(uuid.uuid4())
    first = mark_step(db.session, run, client_id=mark_id, phase=0, step=0, mark="missed", note="没有报告")
    again = mark_step(db.session, run, client_id=mark_id, phase=0, step=0, mark="missed", note="没有报告")
    assert first.id == again.id
    with pytest.raises(DrillConflict):
        mark_step(db.session, run, client_id=mark_id, phase=0, step=0, mark="done")
    mark_step(db.session, run, client_id=str(uuid.uuid4()), phase=0, step=0, mark="done")
    assert db.session.scalar(select(func.count()).select_from(DrillStepMark)) == 2
    assert score_drill(run.content, run).steps[0].mark == "done"


def test_bad_marks_and_finished_or_closed_runs_are_refused(db, run):
    with pytest.raises(DrillError):
        mark_step(db.session, run, client_id=str(uuid.uuid4()), phase=99, step=0, mark="done")
    with pytest.raises(DrillError):
        mark_step(db.session, run, client_id=str(uuid.uuid4()), phase=0, step=0, mark="great")
    with pytest.raises(DrillError):
        rate_phase(db.session, run, 0, "A")
    finish_run(db.session, run)
    db.session.commit()
    assert finish_run(db.session, run).score == run.score  # finishing again changes nothing
    with pytest.raises(DrillError):
        mark_step(db.session, run, client_id=str(uuid.uuid4()), phase=0, step=0, mark="done")
    run.score = 100
    with pytest.raises(FinishedDrillError):
        db.session.flush()


def test_drills_not_held_is_one_finding_under_97_6(db, run):
    record_drills_not_held(db.session, run.inspection)
    record_drills_not_held(db.session, run.inspection)
    finding = db.session.scalars(select(Finding)).one()
    assert {"source": "work-safety-law", "article": "97(六)"} in finding.basis
    close_inspection(db.session, run.inspection, run.examiner)
    with pytest.raises(DrillError):
        mark_step(db.session, run, client_id=str(uuid.uuid4()), phase=0, step=0, mark="done")
