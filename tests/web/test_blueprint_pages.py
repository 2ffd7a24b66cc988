"""The admin blueprint pages: every role's blueprint in effect, the editor, and restoring the default."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from quizapp.bank.importer import import_bank
from quizapp.bank.types import QUESTION_TYPES
from quizapp.bank.validate import load_bank
from quizapp.exam.blueprint import ROLE_BLUEPRINTS, Blueprint, blueprint_for
from quizapp.models import Attempt, BlueprintSetting, Inspection, Worker

MINI = Path(__file__).resolve().parent.parent / "data" / "mini_bank"
SAVED = Blueprint("主要负责人专项考试", {"single": 8, "oral": 2}, pass_mark=90, multiple_rule="all_or_nothing",
                  time_limit_minutes=30, difficulty=(2, 4), topic_weights={"special-work": 3})


@pytest.fixture
def admin(auth, db):
    import_bank(db.session, load_bank(MINI, db.session))
    db.session.commit()
    return auth.login_as("admin")


def submission(**changes) -> dict:
    """The editor's fields for SAVED, with ``changes`` (field name -> posted value)."""
    counts = {f"item_counts-{kind}": str(SAVED.items.get(kind, 0)) for kind in QUESTION_TYPES}
    return {"name": SAVED.name, **counts, "pass_mark": "90", "multiple_rule": "all_or_nothing",
            "time_limit_minutes": "30", "difficulty_min": "2", "difficulty_max": "4",
            "emphasised_topics": ["special-work"], **changes}


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def input_tag(html: str, name: str, value: str | None = None) -> str:
    value_attribute = f'[^>]*value="{re.escape(value)}"' if value is not None else ""
    return re.search(rf'<input[^>]*name="{re.escape(name)}"{value_attribute}[^>]*>', html).group(0)


def shown_value(html: str, name: str) -> str:
    return re.search(r'value="([^"]*)"', input_tag(html, name)).group(1)


def ticked_topics(html: str) -> list[str]:
    return [code for code in ("law-responsibility", "special-work")
            if " checked " in input_tag(html, "emphasised_topics", code)]


def fields_with_errors(html: str) -> set[str]:
    """The fields error messages are shown under: the id just before each (a list's ``-N`` dropped)."""
    return {re.sub(r"-\d+$", "", re.findall(r'id="([^"]+)"', html[:error.start()])[-1])
            for error in re.finditer(r'<p class="error"', html)}


def stored_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(BlueprintSetting))


def test_anonymous_users_are_sent_to_sign_in(client, db):
    for response in (client.get("/blueprints/"), client.get("/blueprints/principal/edit"),
                     client.post("/blueprints/principal/edit", data=submission()),
                     client.post("/blueprints/principal/restore")):
        assert response.status_code == 302 and "/login" in response.location
    assert stored_count(db) == 0


def test_inspectors_may_not_see_or_change_blueprints(auth, client, db):
    auth.login_as("inspector")
    assert client.get("/blueprints/").status_code == 403
    assert client.get("/blueprints/principal/edit").status_code == 403
    assert client.post("/blueprints/principal/edit", data=submission()).status_code == 403
    assert client.post("/blueprints/principal/restore").status_code == 403
    assert stored_count(db) == 0
    assert 'href="/blueprints/"' not in page(client, "/")


def test_the_list_shows_every_role_with_its_default_until_one_is_saved(admin, client):
    html = page(client, "/blueprints/")
    assert 'href="/blueprints/"' in html  # the admin's menu
    for role, name in (("worker", "一线从业人员"), ("principal", "主要负责人"), ("safety-manager", "安全生产管理人员")):
        assert name in html and ROLE_BLUEPRINTS[role].name in html
        assert f'href="/blueprints/{role}/edit"' in html
    assert "pill current" not in html
    client.post("/blueprints/principal/edit", data=submission())
    html = page(client, "/blueprints/")
    assert html.count("pill current") == 1 and SAVED.name in html
    assert ROLE_BLUEPRINTS["principal"].name not in html


def test_the_editor_shows_the_default_then_saves_and_shows_the_setting(admin, client, db):
    html = page(client, "/blueprints/principal/edit")
    assert shown_value(html, "name") == ROLE_BLUEPRINTS["principal"].name
    assert [shown_value(html, f"item_counts-{kind}") for kind in QUESTION_TYPES] == ["6", "2", "4", "0", "2", "0"]
    assert ticked_topics(html) == ["law-responsibility"]
    assert "/restore" not in html

    response = client.post("/blueprints/principal/edit", data=submission())
    assert response.status_code == 302 and response.location.endswith("/blueprints/")
    assert blueprint_for(db.session, "principal") == SAVED
    assert db.session.scalar(select(BlueprintSetting.updated_by_id)) == admin.id

    html = page(client, "/blueprints/principal/edit")
    assert [shown_value(html, f"item_counts-{kind}") for kind in QUESTION_TYPES] == ["8", "0", "0", "0", "2", "0"]
    assert (shown_value(html, "pass_mark"), shown_value(html, "time_limit_minutes")) == ("90", "30")
    assert " checked " in input_tag(html, "multiple_rule", "all_or_nothing")
    assert ticked_topics(html) == ["special-work"]
    assert "/blueprints/principal/restore" in html


@pytest.mark.parametrize(("changes", "field"), [
    ({"item_counts-single": "0", "item_counts-oral": "0"}, "item_counts"),
    ({"item_counts-single": "31"}, "item_counts-single"),
    ({"item_counts-oral": "two"}, "item_counts-oral"),
    ({"item_counts-fill": "-1"}, "item_counts-fill"),
    ({"name": "  "}, "name"),
    ({"pass_mark": "101"}, "pass_mark"),
    ({"pass_mark": ""}, "pass_mark"),
    ({"time_limit_minutes": "0"}, "time_limit_minutes"),
    ({"time_limit_minutes": "121"}, "time_limit_minutes"),
    ({"difficulty_min": "4", "difficulty_max": "2"}, "difficulty_max"),
    ({"difficulty_min": "6"}, "difficulty_min"),
    ({"multiple_rule": "lenient"}, "multiple_rule"),
    ({"emphasised_topics": ["no-such-topic"]}, "emphasised_topics"),
    ({"emphasised_topics": ["hot-work"]}, "emphasised_topics"),  # sub-topics follow their topic's weight
])
def test_invalid_input_is_shown_under_its_field_and_nothing_is_saved(admin, client, db, changes, field):
    response = client.post("/blueprints/principal/edit", data=submission(**changes))
    assert response.status_code == 200
    assert fields_with_errors(response.get_data(as_text=True)) == {field}
    assert stored_count(db) == 0


def test_restoring_the_default_deletes_the_setting(admin, client, db):
    client.post("/blueprints/principal/edit", data=submission())
    response = client.post("/blueprints/principal/restore")
    assert response.status_code == 302 and response.location.endswith("/blueprints/")
    assert stored_count(db) == 0
    assert blueprint_for(db.session, "principal") == ROLE_BLUEPRINTS["principal"]
    assert client.post("/blueprints/principal/restore").status_code == 302  # nothing left to delete
    assert shown_value(page(client, "/blueprints/principal/edit"), "item_counts-single") == "6"


def test_a_role_not_in_the_taxonomy_is_not_found(admin, client, db):
    assert client.get("/blueprints/visitor/edit").status_code == 404
    assert client.post("/blueprints/visitor/edit", data=submission()).status_code == 404
    assert client.post("/blueprints/visitor/restore").status_code == 404
    assert stored_count(db) == 0


def test_the_api_draws_the_paper_a_saved_blueprint_asks_for(auth, client, db, imported_bank, enterprise):
    enterprise.industry_codes = ["machinery"]
    worker = Worker(enterprise=enterprise, name="周师傅", role_code="team-leader", post="铸造")
    db.session.add(worker)
    db.session.commit()
    auth.login_as("admin")
    counts = {f"item_counts-{kind}": {"single": "3", "judge": "2"}.get(kind, "0") for kind in QUESTION_TYPES}
    client.post("/blueprints/team-leader/edit", data=submission(**counts, pass_mark="60", emphasised_topics=[]))
    client.post(f"/e/{enterprise.qr_token}", data={"kind": "routine"})
    inspection = db.session.scalar(select(Inspection))
    response = client.post(f"/api/inspections/{inspection.public_token}/attempts",
                           json={"client_id": str(uuid.uuid4()), "worker": worker.public_token})
    assert response.status_code == 201
    assert [item["type"] for item in response.get_json()["items"]] == ["single"] * 3 + ["judge"] * 2
    assert db.session.scalar(select(Attempt.blueprint))["pass_mark"] == 60
