"""Blueprints (组卷方案): how many items of each type a paper has, and which questions may be drawn.

No published rule fixes the number of questions or the pass mark of an on-site exam, so they are
settings of a blueprint; the default pass mark is 80, the national qualification-exam mark. Each role
has a built-in default here; a setting an admin saves (``BlueprintSetting``) takes its place.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from quizapp.bank.validate import QuestionSpec
from quizapp.models import BlueprintSetting

GENERAL_INDUSTRY = "general"


@dataclass(frozen=True)
class Blueprint:
    name: str
    items: dict[str, int]
    pass_mark: int = 80
    multiple_rule: str = "half_for_subset"  # a subset without wrong options earns half; or "all_or_nothing"
    time_limit_minutes: int = 15
    difficulty: tuple[int, int] = (1, 5)
    topics: tuple[str, ...] = ()
    # Topic code -> relative weight (at least 1) of its share of a paper's items; topics not named weigh 1,
    # so an empty mapping spreads a paper evenly over the topics.
    topic_weights: dict[str, int] = field(default_factory=dict)


DEFAULT_BLUEPRINT = Blueprint(
    name="现场抽问",
    items={"single": 4, "multiple": 2, "judge": 3, "fill": 1, "oral": 1},
)
"""A spot quiz that fits an inspection: ten objective items and one oral question, about 15 minutes."""

EMPHASIS_WEIGHT = 3
"""The weight of a topic a blueprint emphasises: three times the share of items of a topic it does not name."""

_MANAGEMENT = {"single": 6, "judge": 4, "multiple": 2, "oral": 2}
_MANAGEMENT_EMPHASIS = dict.fromkeys(("law-responsibility", "major-hazard", "hazard-management"), EMPHASIS_WEIGHT)
"""Managers answer for the responsibility system and for finding and removing hazards, above all major
ones (安全生产法 21, 25), so their papers lean towards law and responsibility and hazards. Top-level topic
codes: a weight carries over to a topic's sub-topics."""
_FLOOR = {"single": 5, "judge": 5, "oral": 1, "practical": 1}
ROLE_BLUEPRINTS = {
    "principal": Blueprint("主要负责人现场考试", _MANAGEMENT, time_limit_minutes=20,
                           topic_weights=_MANAGEMENT_EMPHASIS),
    "safety-director": Blueprint("安全总监现场考试", _MANAGEMENT, time_limit_minutes=20,
                                 topic_weights=_MANAGEMENT_EMPHASIS),
    "safety-manager": Blueprint("安全生产管理人员现场考试", _MANAGEMENT, time_limit_minutes=20,
                                topic_weights=_MANAGEMENT_EMPHASIS),
    "special-operator": Blueprint("特种作业人员现场抽问", _FLOOR),
    "team-leader": Blueprint("班组长现场抽问", _FLOOR),
    "worker": Blueprint("一线从业人员现场抽问", _FLOOR),
}
"""The default paper for each role: managers are examined on more items and aloud, floor staff also
show their post's 手指口述 script."""


def default_blueprint(role: str) -> Blueprint:
    """The built-in blueprint of ``role``, or the general spot quiz for a role without one."""
    return ROLE_BLUEPRINTS.get(role, DEFAULT_BLUEPRINT)


def _from_setting(setting: BlueprintSetting) -> Blueprint:
    return Blueprint(name=setting.name, items=dict(setting.items), pass_mark=setting.pass_mark,
                     multiple_rule=setting.multiple_rule, time_limit_minutes=setting.time_limit_minutes,
                     difficulty=(setting.difficulty_min, setting.difficulty_max),
                     topic_weights=dict(setting.topic_weights))


def _stored_setting(session: Session, role: str) -> BlueprintSetting | None:
    return session.scalar(select(BlueprintSetting).where(BlueprintSetting.role_code == role))


@dataclass(frozen=True)
class RoleBlueprint:
    """A role's blueprint in effect; ``setting`` is the stored row it comes from, None for the default."""

    role: str
    blueprint: Blueprint
    setting: BlueprintSetting | None


def _in_effect(role: str, setting: BlueprintSetting | None) -> RoleBlueprint:
    return RoleBlueprint(role, _from_setting(setting) if setting else default_blueprint(role), setting)


def role_blueprint(session: Session, role: str) -> RoleBlueprint:
    """The blueprint in effect for ``role``: the admin's setting if one is stored, else the default."""
    return _in_effect(role, _stored_setting(session, role))


def role_blueprints(session: Session, roles: Iterable[str]) -> list[RoleBlueprint]:
    """The blueprint in effect for each of ``roles``, in their order, from one query."""
    stored = {setting.role_code: setting for setting in session.scalars(
        select(BlueprintSetting).options(selectinload(BlueprintSetting.updated_by)))}
    return [_in_effect(role, stored.get(role)) for role in roles]


def blueprint_for(session: Session, role: str) -> Blueprint:
    """The blueprint a worker of ``role`` is examined with."""
    return role_blueprint(session, role).blueprint


def save_blueprint(session: Session, role: str, blueprint: Blueprint, updated_by_id: int) -> BlueprintSetting:
    """Store ``blueprint`` as the setting of ``role`` in place of its default or earlier setting.

    A setting keeps no topic restriction (``topics``): it weights topics instead. The caller commits.
    """
    setting = _stored_setting(session, role) or BlueprintSetting(role_code=role)
    setting.name, setting.items, setting.pass_mark = blueprint.name, dict(blueprint.items), blueprint.pass_mark
    setting.multiple_rule, setting.time_limit_minutes = blueprint.multiple_rule, blueprint.time_limit_minutes
    setting.difficulty_min, setting.difficulty_max = blueprint.difficulty
    setting.topic_weights, setting.updated_by_id = dict(blueprint.topic_weights), updated_by_id
    session.add(setting)
    session.flush()
    return setting


def restore_default(session: Session, role: str) -> bool:
    """Delete the setting of ``role`` so that its default applies again; False when none was stored."""
    return session.execute(delete(BlueprintSetting).where(BlueprintSetting.role_code == role)).rowcount > 0


def is_eligible(spec: QuestionSpec, role: str, industry: str, blueprint: Blueprint = DEFAULT_BLUEPRINT) -> bool:
    """Whether a question may be asked of ``role`` in an enterprise of ``industry``.

    Questions for all industries (通用) may be asked everywhere; retired questions never.
    """
    content = spec.content
    low, high = blueprint.difficulty
    return (spec.status == "active" and content["type"] in blueprint.items and role in content["roles"]
            and (industry in content["industries"] or GENERAL_INDUSTRY in content["industries"])
            and low <= content["difficulty"] <= high
            and (not blueprint.topics or bool(set(blueprint.topics) & set(content["topics"]))))


def disjoint_papers(questions: list[QuestionSpec], role: str, industry: str,
                    blueprint: Blueprint = DEFAULT_BLUEPRINT) -> int:
    """How many papers the bank can fill for ``role`` and ``industry`` without repeating a question."""
    pool = Counter(spec.type for spec in questions if is_eligible(spec, role, industry, blueprint))
    return min(pool[kind] // count for kind, count in blueprint.items.items())
