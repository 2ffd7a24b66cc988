"""Fixtures: a fresh app and database per test (SQLite in memory, or PostgreSQL via TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from quizapp import create_app
from quizapp.bank.importer import import_bank
from quizapp.bank.validate import load_bank
from quizapp.cli import main
from quizapp.extensions import db as _db
from quizapp.models import Enterprise, User

REPO = Path(__file__).resolve().parent.parent
BANK = REPO / "question_bank"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")
PASSWORD = "correct horse battery"
VALID_CREDIT_CODE = "91371300MA3C8H1X2P"


def app_config(tmp_path: Path, **overrides) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "RATELIMIT_STORAGE_URI": "memory://",
        **overrides,
    }


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context, as in production.

    Tests hold an app context open; without this, requests would share its ``g`` (and with it the
    signed-in user and the chosen language) and its database session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def reset_schema() -> None:
    """Drop everything (including Alembic's table) so each test starts from an empty database.

    The session is closed first: on PostgreSQL its open transaction would hold locks that DROP waits for.
    """
    _db.session.remove()
    _db.drop_all()
    with _db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    _db.create_all()


def build_app(tmp_path: Path, **overrides):
    """An app for tests whose client gives each request its own context."""
    app = create_app(app_config(tmp_path, **overrides))
    app.test_client_class = FreshContextClient
    return app


@contextmanager
def fresh_app(tmp_path: Path, **overrides) -> Iterator:
    """An app on an empty schema of its own, in its app context; the tables are dropped afterwards."""
    app = build_app(tmp_path, **overrides)
    with app.app_context():
        reset_schema()
        yield app
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture
def app(tmp_path):
    with fresh_app(tmp_path) as app:
        yield app


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def quizapp(runner):
    """The ``quizapp`` command, invoked in the app's context: ``quizapp("bank", "stats", path)``."""
    def invoke(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), input=input)

    return invoke


@pytest.fixture
def enterprise(db):
    item = Enterprise(credit_code=VALID_CREDIT_CODE, name="临沂某铝业有限公司", county="罗庄区")
    db.session.add(item)
    db.session.commit()
    return item


@pytest.fixture
def make_user(db):
    def make(role: str = "admin", username: str | None = None, enterprise: Enterprise | None = None) -> User:
        user = User(username=username or f"{role}-user", role=role, enterprise=enterprise)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        return user

    return make


class AuthActions:
    def __init__(self, client, make_user):
        self.client = client
        self.make_user = make_user

    def login(self, username: str, password: str = PASSWORD):
        return self.client.post("/login", data={"username": username, "password": password})

    def login_as(self, role: str, enterprise: Enterprise | None = None) -> User:
        user = self.make_user(role, enterprise=enterprise)
        response = self.login(user.username)
        assert response.status_code == 302, response.data
        return user


@pytest.fixture
def auth(client, make_user):
    return AuthActions(client, make_user)


@pytest.fixture
def bank_copy(tmp_path) -> Path:
    """A private copy of the bundled bank that a test may change."""
    target = tmp_path / "bank"
    shutil.copytree(BANK, target)
    return target


@pytest.fixture
def imported_bank(db):
    """The bundled bank, imported."""
    bank = load_bank(BANK, db.session)
    assert bank.ok, bank.problems
    import_bank(db.session, bank)
    db.session.commit()
    return bank


def table_counts(db) -> dict[str, int]:
    """Row counts of every table: compared before and after a failed import to prove nothing changed."""
    from sqlalchemy import func

    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def right_answers_as_shown(db, attempt) -> list:
    """What a worker who knows everything taps, in the shuffled option order shown on the tablet."""
    from quizapp.bank.export import version_content
    from quizapp.bank.types import LETTERS
    from quizapp.models import QuestionVersion

    answers = []
    for item in attempt.items:
        content = version_content(db.session.get(QuestionVersion, item["version_id"]))
        shown = {LETTERS[bank]: LETTERS[position] for position, bank in enumerate(item["option_order"])}
        kind, answer = content["type"], content["answer"]
        if kind == "single":
            answers.append(shown[answer])
        elif kind == "multiple":
            answers.append(sorted(shown[letter] for letter in answer))
        elif kind == "judge":
            answers.append(answer)
        elif kind == "fill":
            answers.append([blank[0] for blank in answer])
        elif kind == "oral":
            answers.append({"points": list(range(len(content["key_points"])))})
        else:
            answers.append({"steps": ["done"] * len(content["steps"])})
    return answers
