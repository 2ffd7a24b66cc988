"""Blueprints (组卷方案): how many items of each type a paper has, and which questions may be drawn.

No published rule fixes the number of questions or the pass mark of an on-site exam, so they are
settings of a blueprint; the default pass mark is 80, the national qualification-exam mark.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from quizapp.bank.validate import QuestionSpec

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


DEFAULT_BLUEPRINT = Blueprint(
    name="现场抽问",
    items={"single": 4, "multiple": 2, "judge": 3, "fill": 1, "oral": 1},
)
"""A spot quiz that fits an inspection: ten objective items and one oral question, about 15 minutes."""

_MANAGEMENT = {"single": 6, "judge": 4, "multiple": 2, "oral": 2}
_FLOOR = {"single": 5, "judge": 5, "oral": 1, "practical": 1}
ROLE_BLUEPRINTS = {
    "principal": Blueprint("主要负责人现场考试", _MANAGEMENT, time_limit_minutes=20),
    "safety-director": Blueprint("安全总监现场考试", _MANAGEMENT, time_limit_minutes=20),
    "safety-manager": Blueprint("安全生产管理人员现场考试", _MANAGEMENT, time_limit_minutes=20),
    "special-operator": Blueprint("特种作业人员现场抽问", _FLOOR),
    "team-leader": Blueprint("班组长现场抽问", _FLOOR),
    "worker": Blueprint("一线从业人员现场抽问", _FLOOR),
}
"""The default paper for each role: managers are examined on more items and aloud, floor staff also
show their post's 手指口述 script."""


def blueprint_for(role: str) -> Blueprint:
    return ROLE_BLUEPRINTS.get(role, DEFAULT_BLUEPRINT)


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
