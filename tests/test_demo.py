"""quizapp demo: a plausible city in an empty database, its papers drawn and scored by the application's engine."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from quizapp.demo import COUNTIES, DEMO_TABLES, demo_span
from quizapp.exam.attempts import FAILED_EXAM_BASIS, to_bank_letters
from quizapp.exam.blueprint import blueprint_for
from quizapp.exam.drill_runs import score_drill
from quizapp.exam.inspections import local_today
from quizapp.exam.pool import draw_paper
from quizapp.exam.scoring import score_paper
from quizapp.models import (
    Attempt,
    AttemptItem,
    DrillRun,
    Enterprise,
    Finding,
    Inspection,
    QuestionVersion,
    TeamMember,
    User,
    Worker,
)
from quizapp.models.enterprise import credit_code_problem
from quizapp.models.inspection import INSPECTION_KINDS
from tests.conftest import table_counts

MANAGERS = {"principal", "safety-director", "safety-manager"}


@pytest.fixture
def small(quizapp, imported_bank, db):
    result = quizapp("demo", "--scale", "small")
    assert result.exit_code == 0, result.output
    return result.output


def remove_demo_data(db) -> None:
    """Delete what the demo wrote (dependent rows first) and keep the bank, so it can run again on the same bank."""
    for table in reversed(db.metadata.sorted_tables):
        if table.name in DEMO_TABLES:
            db.session.execute(delete(table))
    db.session.commit()


def test_small_demo_prints_a_summary(small):
    lines = small.splitlines()
    assert any(line.startswith("Demo data (small, seed 20240705,") and line.endswith(" s:") for line in lines)
    assert [line.split()[0] for line in lines if line.startswith("  ") and "by kind" not in line] == \
        list(DEMO_TABLES)
    assert "  enterprises                  12" in lines
    assert lines[-1].startswith("Demo inspectors' password (shown once")


def test_enterprises_have_valid_credit_codes_and_rosters(small, db):
    enterprises = db.session.scalars(select(Enterprise)).all()
    assert len(enterprises) == 12
    assert all(credit_code_problem(e.credit_code) is None for e in enterprises)
    assert {e.county for e in enterprises} <= {county.name for county in COUNTIES}
    assert all(e.name.endswith("有限公司") and e.industry_codes for e in enterprises)
    workers = db.session.scalars(select(Worker)).all()
    assert 120 <= len(workers) <= 200
    for enterprise in enterprises:
        roles = Counter(worker.role_code for worker in enterprise.workers)
        assert roles["principal"] == 1 and 2 <= sum(roles[role] for role in MANAGERS) <= 3
        assert roles["worker"] > roles["team-leader"] >= 1
    operators = [worker for worker in workers if worker.role_code == "special-operator"]
    assert operators and all(worker.required_category for worker in operators)
    assert sum(len(worker.certificates) for worker in operators) >= len(operators) * 0.8
    assert all(worker.id_number_masked.startswith("3713") and worker.id_number_hash for worker in workers)


def test_inspections_span_four_quarters_with_teams_of_inspectors(small, db):
    inspections = db.session.scalars(select(Inspection)).all()
    first, today = demo_span(local_today())
    assert {inspection.kind for inspection in inspections} <= set(INSPECTION_KINDS)
    assert all(first <= inspection.local_date <= today for inspection in inspections)
    assert len({(i.local_date.year, (i.local_date.month - 1) // 3) for i in inspections}) == 4
    assert all(inspection.status == "closed" for inspection in inspections if inspection.local_date < today)
    assert all(inspection.local_date.weekday() < 5 for inspection in inspections)
    for inspection in inspections:
        team = {member.user_id for member in inspection.team}
        assert len(team) >= 2 and inspection.opened_by_id in team
    inspectors = db.session.scalars(select(User).where(User.id.in_(select(TeamMember.user_id)))).all()
    assert inspectors and all(user.role == "inspector" and user.username.startswith("demo-") for user in inspectors)


def test_attempt_items_match_each_final_attempt(small, db):
    attempts = db.session.scalars(select(Attempt)).all()
    items: dict[int, list[AttemptItem]] = {}
    for row in db.session.scalars(select(AttemptItem).order_by(AttemptItem.attempt_id, AttemptItem.position)):
        items.setdefault(row.attempt_id, []).append(row)
    assert sum(len(rows) for rows in items.values()) <= 20_000
    for attempt in attempts:
        assert attempt.status == "final" and attempt.worker.enterprise_id == attempt.inspection.enterprise_id
        rows = items[attempt.id]
        assert [(row.position, row.question_id, row.version_id, row.type) for row in rows] == \
            [(position, item["question_id"], item["version_id"], item["type"])
             for position, item in enumerate(attempt.items)]
        assert [row.fraction for row in rows] == attempt.item_scores
        assert {(row.enterprise_id, row.worker_id, row.role_code, row.answered_on) for row in rows} == \
            {(attempt.inspection.enterprise_id, attempt.worker_id, attempt.worker.role_code,
              attempt.inspection.local_date)}
        assert attempt.examiner_id in {member.user_id for member in attempt.inspection.team}


def test_failed_exams_have_findings_with_a_reexam_date(small, db):
    attempts = db.session.scalars(select(Attempt)).all()
    findings = {f.attempt_id: f for f in db.session.scalars(select(Finding).where(Finding.kind == "failed_exam"))}
    failed = [attempt for attempt in attempts if not attempt.passed]
    assert 0 < len(failed) < len(attempts) / 2
    assert set(findings) == {attempt.id for attempt in failed}
    for attempt in failed:
        finding = findings[attempt.id]
        assert (finding.worker_id, finding.inspection_id, finding.basis) == \
            (attempt.worker_id, attempt.inspection_id, FAILED_EXAM_BASIS)
        assert finding.due_on == attempt.inspection.local_date + timedelta(days=30)


def test_scores_are_those_of_the_stored_responses(small, db):
    attempts = db.session.scalars(select(Attempt).order_by(Attempt.id)).all()
    sample = attempts[::7]
    assert {attempt.mode for attempt in attempts} == {"tablet", "oral"}
    for attempt in sample:
        contents = [{"type": v.type, "options": v.options, "answer": v.answer, "key_points": v.key_points,
                     "steps": v.steps} for v in (db.session.get(QuestionVersion, item["version_id"])
                                                 for item in attempt.items)]
        responses = [to_bank_letters(item, response) for item, response in zip(attempt.items, attempt.responses,
                                                                                 strict=True)]
        result = score_paper(contents, responses, attempt.blueprint["pass_mark"], attempt.blueprint["multiple_rule"])
        assert (result.score, result.passed) == (attempt.score, attempt.passed)
        assert [item.fraction for item in result.items] == attempt.item_scores


def test_papers_are_drawn_again_from_their_seeds(small, db):
    for attempt in db.session.scalars(select(Attempt).order_by(Attempt.id)).all()[::40]:
        role = attempt.worker.role_code
        paper = draw_paper(db.session, role, attempt.inspection.enterprise.industry_codes,
                           blueprint_for(db.session, role), attempt.seed)
        assert paper.stored() == attempt.items


def test_drill_runs_are_finished_and_scored(small, db):
    runs = db.session.scalars(select(DrillRun)).all()
    inspections = db.session.scalars(select(Inspection)).all()
    assert len(inspections) / 6 < len(runs) < len(inspections) / 2
    for run in runs:
        assert run.status == "finished" and run.marks and run.participants
        assert all(worker.enterprise_id == run.inspection.enterprise_id for worker in run.participants)
        result = score_drill(run.content, run)
        assert (result.score, result.passed) == (run.score, run.passed)
        kinds = [f.kind for f in db.session.scalars(select(Finding).where(Finding.drill_run_id == run.id))]
        assert ("drill_failed" in kinds) == (not run.passed)
        assert sorted(kind for kind in kinds if kind != "drill_failed") == \
            sorted(f"drill_step_{step.mark}" for step in result.deficiencies)


def test_closing_recorded_certificate_findings(small, db):
    findings = db.session.scalars(select(Finding).where(Finding.kind.like("certificate_%"))).all()
    assert findings
    for finding in findings:
        assert finding.inspection.status == "closed" and finding.due_on == finding.inspection.local_date
        assert finding.worker.required_category


def test_the_same_seed_makes_the_same_data(quizapp, imported_bank, db):
    def run(*args: str) -> dict[str, int]:
        result = quizapp("demo", "--scale", "small", *args)
        assert result.exit_code == 0, result.output
        counts = table_counts(db)
        counts.pop("audit_events")  # append-only: each run adds its entry, and removing the demo data keeps it
        remove_demo_data(db)
        return counts

    first = run()
    assert run() == first
    assert run("--seed", "7") != first


def test_a_database_with_enterprises_is_refused(quizapp, imported_bank, enterprise, db):
    before = table_counts(db)
    result = quizapp("demo", "--scale", "small")
    assert result.exit_code == 1
    assert "already has enterprises" in result.output
    assert table_counts(db) == before


def test_the_bank_must_be_imported_first(quizapp, db):
    result = quizapp("demo")
    assert result.exit_code == 1
    assert "quizapp bank import question_bank" in result.output
