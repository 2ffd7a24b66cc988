"""Counts of a bank's content: what `quizapp bank stats` prints and issues check coverage against."""

from __future__ import annotations

from collections import Counter
from typing import Any

from quizapp.bank.validate import Bank


def bank_stats(bank: Bank) -> dict[str, Any]:
    """Counts of the active questions by type, role, industry, topic, difficulty, and role × industry.

    The keys are a contract (issues and CI read them): total, by_type, by_role, by_industry, by_topic,
    by_difficulty, matrix (role → industry → count), drills; ``retired`` counts what is left out.
    """
    active = [spec for spec in bank.questions if spec.status == "active"]
    by_role: Counter[str] = Counter()
    by_industry: Counter[str] = Counter()
    by_topic: Counter[str] = Counter()
    matrix: dict[str, Counter[str]] = {}
    for spec in active:
        content = spec.content
        by_role.update(content["roles"])
        by_industry.update(content["industries"])
        by_topic.update(content["topics"])
        for role in content["roles"]:
            matrix.setdefault(role, Counter()).update(content["industries"])
    return {
        "total": len(active),
        "by_type": dict(Counter(spec.type for spec in active)),
        "by_role": dict(by_role),
        "by_industry": dict(by_industry),
        "by_topic": dict(by_topic),
        "by_difficulty": {str(level): count for level, count in
                          sorted(Counter(spec.content["difficulty"] for spec in active).items())},
        "matrix": {role: dict(counts) for role, counts in matrix.items()},
        "drills": sum(1 for drill in bank.drills if drill.status == "active"),
        "retired": len(bank.questions) - len(active),
    }
