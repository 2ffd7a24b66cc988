"""Blueprint settings: a role's stored setting replaces its built-in default until the default is restored."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from quizapp.exam.blueprint import (
    DEFAULT_BLUEPRINT,
    ROLE_BLUEPRINTS,
    Blueprint,
    blueprint_for,
    default_blueprint,
    restore_default,
    role_blueprints,
    save_blueprint,
)
from quizapp.models import BlueprintSetting

CUSTOM = Blueprint("主要负责人专项考试", {"single": 8, "oral": 1}, pass_mark=90, multiple_rule="all_or_nothing",
                   time_limit_minutes=30, difficulty=(2, 4), topic_weights={"major-hazard": 3})


def stored_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(BlueprintSetting))


@pytest.mark.parametrize(("role", "expected"), [
    ("principal", ROLE_BLUEPRINTS["principal"]),
    ("worker", ROLE_BLUEPRINTS["worker"]),
    ("a-role-without-a-default", DEFAULT_BLUEPRINT),
])
def test_without_a_stored_setting_a_role_gets_its_default(db, role, expected):
    assert blueprint_for(db.session, role) == default_blueprint(role) == expected


def test_management_papers_lean_towards_law_responsibility_and_hazards():
    for role in ("principal", "safety-director", "safety-manager"):
        assert default_blueprint(role).topic_weights == {
            "law-responsibility": 3, "major-hazard": 3, "hazard-management": 3}
    assert default_blueprint("worker").topic_weights == DEFAULT_BLUEPRINT.topic_weights == {}


def test_a_stored_setting_replaces_the_default_of_its_role_only(db, make_user):
    admin = make_user("admin")
    save_blueprint(db.session, "principal", CUSTOM, admin.id)
    db.session.commit()
    assert blueprint_for(db.session, "principal") == CUSTOM
    assert blueprint_for(db.session, "safety-manager") == ROLE_BLUEPRINTS["safety-manager"]
    setting = db.session.scalar(select(BlueprintSetting))
    assert (setting.role_code, setting.updated_by_id) == ("principal", admin.id)


def test_saving_again_changes_the_one_setting_of_the_role_and_who_saved_it(db, make_user):
    first, second = make_user("admin", "first"), make_user("admin", "second")
    save_blueprint(db.session, "principal", CUSTOM, first.id)
    db.session.commit()
    save_blueprint(db.session, "principal", replace(CUSTOM, pass_mark=60), second.id)
    db.session.commit()
    assert stored_count(db) == 1
    assert blueprint_for(db.session, "principal").pass_mark == 60
    assert db.session.scalar(select(BlueprintSetting.updated_by_id)) == second.id


def test_restoring_the_default_deletes_the_setting(db, make_user):
    save_blueprint(db.session, "principal", CUSTOM, make_user("admin").id)
    db.session.commit()
    assert restore_default(db.session, "principal") is True
    db.session.commit()
    assert blueprint_for(db.session, "principal") == ROLE_BLUEPRINTS["principal"]
    assert stored_count(db) == 0
    assert restore_default(db.session, "principal") is False


def test_role_blueprints_say_which_come_from_a_stored_setting(db, make_user):
    save_blueprint(db.session, "principal", CUSTOM, make_user("admin").id)
    db.session.commit()
    listed = role_blueprints(db.session, ["worker", "principal"])
    assert [(row.role, row.blueprint, row.setting is not None) for row in listed] == [
        ("worker", ROLE_BLUEPRINTS["worker"], False), ("principal", CUSTOM, True)]


@pytest.mark.parametrize("change", [{"difficulty": (4, 2)}, {"pass_mark": 101}, {"multiple_rule": "lenient"},
                                    {"time_limit_minutes": 0}])
def test_the_database_refuses_an_impossible_setting(db, make_user, change):
    admin = make_user("admin")
    with pytest.raises(IntegrityError):
        save_blueprint(db.session, "principal", replace(CUSTOM, **change), admin.id)
    db.session.rollback()
