"""Drill templates: the file format, its problems with their lines, and counting."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from quizapp.bank.stats import bank_stats
from quizapp.bank.validate import load_bank

MINI = Path(__file__).resolve().parent.parent / "data" / "mini_bank"
DRILL = MINI / "drills" / "workshop-fire.yaml"


@pytest.fixture
def mini(tmp_path, monkeypatch) -> Path:
    shutil.copytree(MINI, tmp_path / "bank")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "bank"


def test_drills_are_read_and_counted(mini):
    bank = load_bank(mini)
    assert bank.problems == []
    [drill] = bank.drills
    assert drill.code == "MINI-DRILL-FIRE" and drill.source_file == "drills/workshop-fire.yaml"
    assert [phase["name"] for phase in drill.content["phases"]] == ["预警与信息报告", "疏散与救援"]
    assert drill.content["phases"][1]["steps"][1] == {
        "action": "清点人数并报告", "actor": "班组长", "critical": False, "target_seconds": 120,
        "look_for": "人数是否清点准确"}
    assert bank_stats(bank)["drills"] == 1
    assert [spec.source_file for spec in bank.questions if spec.source_file.startswith("drills")] == []


def test_a_single_drill_file_validates_on_its_own(mini):
    bank = load_bank(mini / "drills" / "workshop-fire.yaml")
    assert (bank.problems, len(bank.drills), bank.questions) == ([], 1, [])


def test_drill_problems_name_their_lines(mini):
    text = DRILL.read_text(encoding="utf-8")
    text = (text.replace("scope: single", "scope: partial")
            .replace("target_seconds: 30", "target_seconds: soon")
            .replace("        critical: false\n", "        critical: maybe\n")
            .replace("roles: [worker, safety-manager]", "roles: [worker, nobody]")
            .replace("duration_minutes: 15", "duration_minutes: 15\ncolour: red"))
    (mini / "drills" / "workshop-fire.yaml").write_text(text, encoding="utf-8")
    assert [str(p) for p in load_bank(mini).problems] == [
        "bank/drills/workshop-fire.yaml:7: unknown role code 'nobody'",
        "bank/drills/workshop-fire.yaml:8: scope must be single or comprehensive, not 'partial'",
        "bank/drills/workshop-fire.yaml:11: unknown field 'colour'",
        "bank/drills/workshop-fire.yaml:18: target_seconds must be a whole number of seconds above 0",
        "bank/drills/workshop-fire.yaml:29: critical is true or false",
    ]


def test_a_drill_needs_phases_and_a_critical_step(mini):
    text = DRILL.read_text(encoding="utf-8").replace("critical: true", "critical: false")
    (mini / "drills" / "workshop-fire.yaml").write_text(text, encoding="utf-8")
    assert [str(p) for p in load_bank(mini).problems] == [
        "bank/drills/workshop-fire.yaml:11: a drill needs at least one critical step"]
    (mini / "drills" / "workshop-fire.yaml").write_text(
        "id: X\ntitle: t\nscenario: s\nindustries: [general]\nroles: [worker]\nscope: single\n"
        "form: tabletop\nduration_minutes: 5\nphases: []\nbasis: [{source: work-safety-law, article: '55'}]\n",
        encoding="utf-8")
    assert [str(p) for p in load_bank(mini).problems] == [
        "bank/drills/workshop-fire.yaml:9: a drill needs at least 2 phases, each with a name and steps"]


def test_duplicate_drill_ids(mini):
    shutil.copy(DRILL, mini / "drills" / "copy.yaml")
    assert [str(p) for p in load_bank(mini).problems] == [
        "bank/drills/workshop-fire.yaml:1: duplicate id 'MINI-DRILL-FIRE' (first at bank/drills/copy.yaml:1)"]
