"""An attempt's paper as shown to the worker (no answers), and its result with explanations.

Options appear in the attempt's stored (shuffled) order and are lettered as shown; the right answers in
a result are given in those shown letters too, so what the worker reads matches what they tapped.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from quizapp.bank.citations import format_citation
from quizapp.bank.types import BLANK, LETTERS
from quizapp.models import Attempt, QuestionBasis, QuestionVersion


def _versions(session: Session, items: list[dict[str, Any]]) -> list[QuestionVersion]:
    ids = [item["version_id"] for item in items]
    found = {v.id: v for v in session.scalars(
        select(QuestionVersion).where(QuestionVersion.id.in_(ids))
        .options(selectinload(QuestionVersion.basis).joinedload(QuestionBasis.source)))}
    return [found[version_id] for version_id in ids]


def _shown_letter(item: dict[str, Any], bank_letter: str) -> str:
    return LETTERS[item["option_order"].index(LETTERS.index(bank_letter))]


def paper_view(session: Session, attempt: Attempt) -> dict[str, Any]:
    """What the tablet shows: stems, shuffled options, the number of blanks; never an answer."""
    return {"attempt": attempt.public_token, "worker": attempt.worker.name, "mode": attempt.mode,
            "time_limit_minutes": attempt.blueprint["time_limit_minutes"], "items": items_view(session, attempt.items)}


def items_view(session: Session, paper_items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A stored paper's items as shown; oral key points and practical steps are there for the examiner."""
    items = []
    for number, (item, version) in enumerate(zip(paper_items, _versions(session, paper_items), strict=True)):
        shown: dict[str, Any] = {"number": number + 1, "type": version.type, "stem": version.stem}
        if item["option_order"]:
            shown["options"] = [version.options[index] for index in item["option_order"]]
        if version.type == "fill":
            shown["blanks"] = len(BLANK.findall(version.stem))
        if version.type == "oral":  # marked by the inspector, who needs the key points
            shown["key_points"] = [{"point": p["point"], "weight": p["weight"]} for p in version.key_points]
        if version.type == "practical":
            shown["steps"] = [{"text": s["text"], "critical": s["critical"]} for s in version.steps]
        items.append(shown)
    return items


def right_answers(session: Session, paper_items: list[dict[str, Any]]) -> list[Any]:
    """Each item's right answer in the letters as shown (for an answer key)."""
    versions = _versions(session, paper_items)
    return [_right_answer(item, version) for item, version in zip(paper_items, versions, strict=True)]


def _right_answer(item: dict[str, Any], version: QuestionVersion) -> Any:
    if version.type == "single":
        return _shown_letter(item, version.answer)
    if version.type == "multiple":
        return sorted(_shown_letter(item, letter) for letter in version.answer)
    if version.type == "oral":
        return version.key_points
    if version.type == "practical":
        return version.steps
    return version.answer


def result_view(session: Session, attempt: Attempt) -> dict[str, Any]:
    """The score, and for every item the right answer, the explanation and the legal basis."""
    items = []
    versions = _versions(session, attempt.items)
    for fraction, item, version in zip(attempt.item_scores, attempt.items, versions, strict=True):
        items.append({
            "type": version.type, "stem": version.stem, "fraction": fraction, "correct": fraction >= 1.0,
            "right_answer": _right_answer(item, version), "explanation": version.explanation,
            "basis": [format_citation(b.source.short_name or b.source.name, b.source.kind, b.article)
                      for b in version.basis],
        })
    return {"attempt": attempt.public_token, "score": attempt.score, "passed": attempt.passed,
            "pass_mark": attempt.blueprint["pass_mark"], "items": items}
