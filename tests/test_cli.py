"""The quizapp command: bank validate / import / export / stats, and users create."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from quizapp.bank.validate import load_bank
from quizapp.models import Question, User
from tests.conftest import BANK, VALID_CREDIT_CODE, reset_schema

MINI = Path(__file__).resolve().parent / "data" / "mini_bank"


@pytest.fixture
def mini(tmp_path, monkeypatch) -> Path:
    shutil.copytree(MINI, tmp_path / "bank")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "bank"


def test_validate_good_bank_prints_a_summary(quizapp, mini):
    result = quizapp("bank", "validate", "bank")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == ("OK: 6 questions in 2 file(s) (oral 1, practical 1, single 1, multiple 1, "
                                     "judge 1, fill 1), 1 drill(s).")


def test_validate_bad_bank_prints_every_problem_and_exits_1(quizapp, mini):
    law = mini / "questions" / "law.yaml"
    law.write_text(law.read_text(encoding="utf-8").replace("answer: B", "answer: Z")
                   .replace("answer: false", "answer: maybe"), encoding="utf-8")
    result = quizapp("bank", "validate", "bank")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "bank/questions/law.yaml:12: answer 'Z' is not one of the option letters A, B, C, D",
        "bank/questions/law.yaml:27: a judge answer is true or false, not 'maybe'",
        "2 problem(s) found; nothing was imported.",
    ]


def test_import_reports_counts_and_is_idempotent(quizapp, mini, db):
    result = quizapp("bank", "import", "bank")
    assert result.exit_code == 0, result.output
    assert "added 6, changed 0, retired 0, unchanged 0" in result.output
    result = quizapp("bank", "import", "bank")
    assert "added 0, changed 0, retired 0, unchanged 6" in result.output
    assert len(db.session.scalars(select(Question)).all()) == 6


def test_import_of_a_bad_bank_changes_nothing(quizapp, mini, db):
    (mini / "questions" / "floor.yaml").write_text("questions:\n  - id: [broken\n", encoding="utf-8")
    result = quizapp("bank", "import", "bank")
    assert result.exit_code == 1
    assert "bank/questions/floor.yaml:3: YAML syntax error" in result.output
    assert db.session.scalars(select(Question)).all() == []


def test_stats_json_has_the_contract_keys(quizapp, mini):
    result = quizapp("bank", "stats", "bank", "--json")
    stats = json.loads(result.output)
    assert set(stats) >= {"total", "by_type", "by_role", "by_industry", "by_topic", "by_difficulty", "matrix",
                          "drills"}
    assert stats["total"] == 6
    assert stats["by_type"] == {"single": 1, "multiple": 1, "judge": 1, "fill": 1, "oral": 1, "practical": 1}
    assert stats["by_role"] == {"worker": 5, "safety-manager": 1, "principal": 1}
    assert stats["by_difficulty"] == {"2": 3, "3": 2, "4": 1}
    assert stats["matrix"]["principal"] == {"general": 1, "metallurgy": 1}
    assert stats["drills"] == 1
    table = quizapp("bank", "stats", "bank").output
    assert "role × industry" in table and "safety-manager" in table


def canonical(path: Path) -> dict[str, tuple]:
    bank = load_bank(path)
    assert bank.ok, bank.problems
    return {spec.code: (spec.status, spec.content, spec.source_file) for spec in bank.questions}


def test_yaml_export_round_trips(quizapp, mini, tmp_path):
    quizapp("bank", "import", "bank")
    result = quizapp("bank", "export", "--format", "yaml", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert canonical(tmp_path / "out") == canonical(mini)
    assert (yaml.safe_load((tmp_path / "out" / "taxonomy.yaml").read_text(encoding="utf-8"))
            == yaml.safe_load((mini / "taxonomy.yaml").read_text(encoding="utf-8")))


def test_users_create_generates_and_prints_a_password_once(quizapp, db):
    result = quizapp("users", "create", "--role", "admin", "--username", "zhang")
    assert result.exit_code == 0, result.output
    password = result.output.split("Password (shown once, write it down): ")[1].strip()
    user = db.session.scalar(select(User).where(User.username == "zhang"))
    assert user.check_password(password) and user.role == "admin"
    again = quizapp("users", "create", "--role", "admin", "--username", "zhang", "--if-missing")
    assert again.exit_code == 0 and "Password" not in again.output
    assert quizapp("users", "create", "--role", "admin", "--username", "zhang").exit_code == 1


def test_users_create_reads_the_password_from_stdin(quizapp, db):
    result = quizapp("users", "create", "--role", "inspector", "--username", "li", input="s3cret-pass\n")
    assert result.exit_code == 0 and "Password" not in result.output
    assert db.session.scalar(select(User).where(User.username == "li")).check_password("s3cret-pass")
    short = quizapp("users", "create", "--role", "inspector", "--username", "li2", input="short\n")
    assert short.exit_code == 1 and "at least 8 characters" in short.output


def test_enterprise_users_are_bound_to_an_existing_enterprise(quizapp, db, enterprise):
    missing = quizapp("users", "create", "--role", "enterprise", "--username", "e")
    assert missing.exit_code == 2 and "needs --enterprise" in missing.output
    unknown = quizapp("users", "create", "--role", "enterprise", "--username", "e", "--enterprise",
                      "91371300MA3C8H1X3X")
    assert unknown.exit_code == 1 and "no enterprise" in unknown.output
    ok = quizapp("users", "create", "--role", "enterprise", "--username", "e", "--enterprise", VALID_CREDIT_CODE)
    assert ok.exit_code == 0, ok.output
    assert db.session.scalar(select(User).where(User.username == "e")).enterprise_id == enterprise.id


def test_the_console_script_migrates_imports_and_creates_users(tmp_path):
    """The real `quizapp` command in a subprocess, as `make run` uses it."""
    if "TEST_DATABASE_URL" in os.environ:
        pytest.skip("runs against its own SQLite file")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}", "SECRET_KEY": "x"}
    command = [str(Path(sys.executable).parent / "quizapp")]
    steps = [["db", "upgrade"], ["bank", "import", str(MINI)], ["bank", "import", str(MINI)],
             ["users", "create", "--role", "admin", "--username", "admin", "--if-missing"]]
    outputs = [subprocess.run(command + step, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              check=True).stdout for step in steps]
    assert "added 6" in outputs[1] and "unchanged 6" in outputs[2]
    assert "Password (shown once" in outputs[3]


@pytest.mark.parametrize(("fmt", "name"), [("xlsx", "bank.xlsx"), ("gift", "bank.gift")])
def test_bundled_bank_round_trips_through_a_spreadsheet_and_gift(quizapp, tmp_path, fmt, name):
    """yaml → database → xlsx (or GIFT) → a fresh database → yaml loses nothing."""
    assert quizapp("bank", "import", str(BANK)).exit_code == 0
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    assert quizapp("bank", "export", "--format", fmt, str(exchange / name)).exit_code == 0
    shutil.copy(BANK / "taxonomy.yaml", exchange / "taxonomy.yaml")
    reset_schema()
    result = quizapp("bank", "import", str(exchange / name))
    assert result.exit_code == 0, result.output
    assert quizapp("bank", "export", "--format", "yaml", str(tmp_path / "again")).exit_code == 0
    original = {code: (status, content) for code, (status, content, _file) in canonical(BANK).items()}
    again = {code: (status, content) for code, (status, content, _file) in canonical(tmp_path / "again").items()}
    assert again == original


def test_malformed_xlsx_is_reported_and_nothing_imported(quizapp, tmp_path, db):
    shutil.copy(BANK / "taxonomy.yaml", tmp_path / "taxonomy.yaml")
    (tmp_path / "bank.xlsx").write_bytes(b"PK\x03\x04 this is not really a workbook")
    result = quizapp("bank", "import", str(tmp_path / "bank.xlsx"))
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (f"{tmp_path}/bank.xlsx:0: not an Excel .xlsx workbook: "
                                             "File is not a zip file")
    assert db.session.scalars(select(Question)).all() == []
