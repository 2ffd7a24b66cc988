"""Versioned import: idempotent, new versions for changed files, retirement, all-or-nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from quizapp.bank.edit import save_question_edit
from quizapp.bank.export import load_specs
from quizapp.bank.importer import import_bank
from quizapp.bank.problems import BankError
from quizapp.bank.validate import load_bank
from quizapp.models import Question, QuestionVersion
from quizapp.models.question import ImmutableVersionError
from tests.conftest import table_counts

MINI = Path(__file__).resolve().parent.parent / "data" / "mini_bank"


@pytest.fixture
def mini(tmp_path) -> Path:
    shutil.copytree(MINI, tmp_path / "bank")
    return tmp_path / "bank"


def run_import(db, path: Path):
    summary = import_bank(db.session, load_bank(path, db.session))
    db.session.commit()
    return summary


def question(db, code: str) -> Question:
    return db.session.scalar(select(Question).where(Question.code == code))


def test_first_import_adds_everything_with_tags_and_basis(db, mini):
    summary = run_import(db, mini)
    assert (summary.added, summary.changed, summary.retired, summary.unchanged) == (6, 0, 0, 0)
    fill = question(db, "MINI-FILL").current_version
    assert fill.number == 1
    assert [t.code for t in fill.roles] == ["worker", "principal"]
    assert [t.code for t in fill.industries] == ["general", "metallurgy"]
    assert [t.code for t in fill.topics] == ["hot-work"]
    practical = question(db, "MINI-PRACTICAL").current_version
    assert [(b.source.code, b.article) for b in practical.basis] == [("work-safety-law", "30"),
                                                                    ("gb-30871-2022", "5.2")]
    assert practical.origin == "questions/floor.yaml:15"


def test_reimport_of_unchanged_files_changes_nothing(db, mini):
    run_import(db, mini)
    before = table_counts(db)
    stamps = dict(db.session.execute(select(Question.code, Question.updated_at)).all())
    summary = run_import(db, mini)
    assert (summary.added, summary.changed, summary.retired, summary.unchanged) == (0, 0, 0, 6)
    assert table_counts(db) == before
    assert dict(db.session.execute(select(Question.code, Question.updated_at)).all()) == stamps


def test_changed_question_gets_a_new_version_and_the_old_one_stays(db, mini):
    run_import(db, mini)
    law = mini / "questions" / "law.yaml"
    law.write_text(law.read_text(encoding="utf-8").replace("只能等待领导指示", "只能等待班长指示"), encoding="utf-8")
    summary = run_import(db, mini)
    assert (summary.added, summary.changed, summary.unchanged) == (0, 1, 5)
    item = question(db, "MINI-SINGLE")
    assert item.current_number == 2
    assert [v.options[2] for v in item.versions] == ["只能等待领导指示", "只能等待班长指示"]


def test_question_gone_from_the_files_is_retired_not_deleted(db, mini):
    run_import(db, mini)
    (mini / "questions" / "floor.yaml").unlink()
    summary = run_import(db, mini)
    assert summary.retired == 2
    assert question(db, "MINI-ORAL").status == "retired"
    assert db.session.scalar(select(func.count()).select_from(Question)) == 6
    # Back in the file, it is active again with its old version.
    shutil.copy(MINI / "questions" / "floor.yaml", mini / "questions" / "floor.yaml")
    summary = run_import(db, mini)
    assert (summary.changed, question(db, "MINI-ORAL").status) == (2, "active")
    assert question(db, "MINI-ORAL").current_number == 1


def test_single_file_import_retires_only_from_that_file(db, mini):
    run_import(db, mini)
    law = mini / "questions" / "law.yaml"
    text = law.read_text(encoding="utf-8")
    law.write_text(text[:text.index("  - id: MINI-FILL")], encoding="utf-8")
    summary = run_import(db, law)
    assert (summary.retired, summary.unchanged) == (1, 3)
    assert question(db, "MINI-FILL").status == "retired"
    assert question(db, "MINI-ORAL").status == "active"


def test_a_bank_with_problems_imports_nothing(db, mini):
    run_import(db, mini)
    before = table_counts(db)
    law = mini / "questions" / "law.yaml"
    law.write_text(law.read_text(encoding="utf-8").replace("只能等待领导指示", "只能等待班长指示")
                   .replace("answer: false", "answer: maybe"), encoding="utf-8")
    bank = load_bank(mini, db.session)
    assert [p.message for p in bank.problems] == ["a judge answer is true or false, not 'maybe'"]
    with pytest.raises(BankError):
        import_bank(db.session, bank)
    assert table_counts(db) == before


def test_import_is_one_transaction(db, mini, monkeypatch):
    """A failure half-way through leaves the database as it was."""
    before = table_counts(db)
    from quizapp.bank import importer

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "_retire_missing", explode)
    with pytest.raises(RuntimeError):
        import_bank(db.session, load_bank(mini, db.session))
    db.session.rollback()
    assert table_counts(db) == before


def test_versions_are_immutable(db, mini):
    run_import(db, mini)
    version = question(db, "MINI-JUDGE").current_version
    version.stem = "改了"
    with pytest.raises(ImmutableVersionError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(ImmutableVersionError):
        db.session.delete(db.session.get(QuestionVersion, version.id))
        db.session.flush()
    db.session.rollback()


def test_web_edit_survives_reimport_of_unchanged_files(db, mini):
    """A re-import creates a version only when the file changed, so an edit made on the web stays."""
    run_import(db, mini)
    item = question(db, "MINI-JUDGE")
    spec = next(s for s in load_specs(db.session) if s.code == "MINI-JUDGE")
    edited = type(spec)(spec.code, spec.status, {**spec.content, "explanation": "网页上修改的解析"})
    assert save_question_edit(db.session, item, edited, created_by_id=None)
    db.session.commit()
    assert run_import(db, mini).unchanged == 6
    assert question(db, "MINI-JUDGE").current_version.explanation == "网页上修改的解析"
    # When the file itself changes later, the file wins with a new version.
    law = mini / "questions" / "law.yaml"
    law.write_text(law.read_text(encoding="utf-8").replace("不得上岗作业。", "不得上岗作业（第二十八条）。"),
                   encoding="utf-8")
    assert run_import(db, mini).changed == 1
    assert question(db, "MINI-JUDGE").current_number == 3
