"""Drill templates imported with the bank: versioned like questions, retired when their file goes,
editable without a re-import undoing the edit, and chosen by an enterprise's industries."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quizapp.bank.drills import drill_yaml, read_drill_text
from quizapp.bank.importer import import_bank
from quizapp.bank.problems import Problem
from quizapp.bank.taxonomy import TaxonomyIndex
from quizapp.bank.validate import load_bank
from quizapp.cli import main
from quizapp.exam.drill_templates import drills_for_industries, save_drill_edit
from quizapp.models import DrillTemplate, DrillTemplateVersion
from quizapp.models.question import ImmutableVersionError
from tests.conftest import BANK, table_counts

BUNDLED_DRILLS = 17
GENERAL_DRILLS = {"DRILL-TABLETOP-REPORT", "DRILL-ELECTRIC-SHOCK", "DRILL-FALL-HEIGHT", "DRILL-FORKLIFT",
                  "DRILL-FIRE-EVAC"}


def run_import(db, path):
    summary = import_bank(db.session, load_bank(path, db.session))
    db.session.commit()
    return summary


def drill_counts(summary) -> tuple[int, int, int]:
    return summary.drills_added, summary.drills_changed, summary.drills_retired


def template(db, code: str) -> DrillTemplate:
    return db.session.scalar(select(DrillTemplate).where(DrillTemplate.code == code))


def test_import_creates_every_bundled_drill_as_version_1(db):
    bank = load_bank(BANK, db.session)
    summary = import_bank(db.session, bank)
    db.session.commit()
    assert drill_counts(summary) == (BUNDLED_DRILLS, 0, 0)
    templates = db.session.scalars(select(DrillTemplate)).all()
    assert len(templates) == BUNDLED_DRILLS
    for spec in bank.drills:
        stored = template(db, spec.code)
        assert (stored.status, stored.current_number, stored.source_file) == ("active", 1, spec.source_file)
        assert stored.current_version.content == spec.content
        assert stored.current_version.content_hash == stored.file_hash == spec.content_hash


def test_reimport_of_the_bundled_bank_writes_nothing(db, imported_bank):
    before = table_counts(db)
    stamps = dict(db.session.execute(select(DrillTemplate.code, DrillTemplate.updated_at)).all())
    summary = run_import(db, BANK)
    assert drill_counts(summary) == (0, 0, 0)
    assert table_counts(db) == before
    assert dict(db.session.execute(select(DrillTemplate.code, DrillTemplate.updated_at)).all()) == stamps


def test_changed_file_makes_version_2_and_keeps_version_1(db, bank_copy):
    run_import(db, bank_copy)
    drill = bank_copy / "drills" / "electric-shock.yaml"
    text = drill.read_text(encoding="utf-8")
    drill.write_text(text.replace("duration_minutes: 30", "duration_minutes: 45"), encoding="utf-8")
    summary = run_import(db, bank_copy)
    assert drill_counts(summary) == (0, 1, 0)
    item = template(db, "DRILL-ELECTRIC-SHOCK")
    assert item.current_number == 2
    assert [(v.number, v.content["duration_minutes"]) for v in item.versions] == [(1, 30), (2, 45)]


def test_drill_gone_from_a_whole_bank_import_is_retired_and_comes_back(db, bank_copy):
    run_import(db, bank_copy)
    drill = bank_copy / "drills" / "forklift-collision.yaml"
    text = drill.read_text(encoding="utf-8")
    drill.unlink()
    assert drill_counts(run_import(db, bank_copy)) == (0, 0, 1)
    assert template(db, "DRILL-FORKLIFT").status == "retired"
    assert template(db, "DRILL-FORKLIFT") not in drills_for_industries(db.session, ["machinery"])
    drill.write_text(text, encoding="utf-8")
    assert drill_counts(run_import(db, bank_copy)) == (0, 1, 0)
    assert (template(db, "DRILL-FORKLIFT").status, template(db, "DRILL-FORKLIFT").current_number) == ("active", 1)


def test_single_drill_file_import_retires_nothing_else(db, bank_copy):
    run_import(db, bank_copy)
    summary = run_import(db, bank_copy / "drills" / "electric-shock.yaml")
    assert (drill_counts(summary), summary.retired) == ((0, 0, 0), 0)
    assert db.session.scalars(select(DrillTemplate.status).distinct()).all() == ["active"]


def test_versions_are_immutable(db, imported_bank):
    version = template(db, "DRILL-FORKLIFT").current_version
    version.content = {**version.content, "title": "改了"}
    with pytest.raises(ImmutableVersionError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(ImmutableVersionError):
        db.session.delete(db.session.get(DrillTemplateVersion, version.id))
        db.session.flush()
    db.session.rollback()


def test_editor_text_reads_back_as_the_same_content(db, imported_bank):
    """The editor is prefilled with YAML that the validator turns back into exactly the stored content."""
    index = TaxonomyIndex.from_db(db.session)
    for spec in imported_bank.drills:
        text = drill_yaml(spec.code, spec.status, spec.content)
        assert read_drill_text(text, spec.source_file, index, spec.code) == (spec, [])
    # The editor changes a template, never which template it is.
    spec = imported_bank.drills[0]
    text = drill_yaml(spec.code, spec.status, spec.content)
    assert read_drill_text(text, spec.source_file, index, "DRILL-OTHER") == (None, [
        Problem(spec.source_file, 1, "the id cannot be changed: keep 'DRILL-OTHER'", "id")])


def test_web_edit_survives_reimport_of_the_unchanged_file(db, bank_copy):
    run_import(db, bank_copy)
    item = template(db, "DRILL-FALL-HEIGHT")
    text = drill_yaml(item.code, item.status, item.current_version.content)
    spec, problems = read_drill_text(text.replace("duration_minutes: 30", "duration_minutes: 40"),
                                     item.source_file, TaxonomyIndex.from_db(db.session), item.code)
    assert problems == []
    assert save_drill_edit(db.session, item, spec, created_by_id=None)
    db.session.commit()
    assert drill_counts(run_import(db, bank_copy)) == (0, 0, 0)
    assert template(db, "DRILL-FALL-HEIGHT").current_version.content == spec.content
    # When the file itself changes later, the file wins with a new version.
    drill = bank_copy / "drills" / "fall-from-height.yaml"
    drill.write_text(drill.read_text(encoding="utf-8").replace("duration_minutes: 30", "duration_minutes: 50"),
                     encoding="utf-8")
    assert drill_counts(run_import(db, bank_copy)) == (0, 1, 0)
    item = template(db, "DRILL-FALL-HEIGHT")
    assert [(v.number, v.content["duration_minutes"]) for v in item.versions] == [(1, 30), (2, 40), (3, 50)]


def test_drills_for_industries_picks_general_ones_and_those_of_the_industries(db, imported_bank):
    chosen = drills_for_industries(db.session, ["metallurgy"])
    assert {t.code for t in chosen} == GENERAL_DRILLS | {"DRILL-COAL-GAS", "DRILL-CRANE-DROP", "DRILL-MOLTEN-SPILL"}
    titles = [t.current_version.content["title"] for t in chosen]
    assert titles == sorted(titles)
    assert {t.code for t in drills_for_industries(db.session, [])} == GENERAL_DRILLS
    assert {t.code for t in drills_for_industries(db.session, ["textile", "commerce"])} == GENERAL_DRILLS | {
        "DRILL-SCALD-STEAM", "DRILL-AMMONIA-LEAK", "DRILL-CHEM-LEAK", "DRILL-HAZCHEM-FIRE"}


def test_cli_import_summary_counts_drills(app, db, runner):
    first = runner.invoke(main, ["bank", "import", str(BANK)])
    second = runner.invoke(main, ["bank", "import", str(BANK)])
    assert first.exit_code == second.exit_code == 0, first.output
    assert f"drills added {BUNDLED_DRILLS}, changed 0, retired 0" in first.output
    assert "drills added 0, changed 0, retired 0" in second.output
