"""An attempt's paper as shown to the worker (no answers), and its result with explanations.

Options appear in the attempt's stored (shuffled) order and are lettered as shown; the right answers in
a result are given in those shown letters too, so what the worker reads matches what they tapped.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizapp.bank.citations import format_citation
from quizapp.bank.types import BLANK, LETTERS
from quizapp.models import Attempt, LegalSource, QuestionBasis, QuestionVersion


def _versions(session: Session, items: list[dict[str, Any]]) -> list[QuestionVersion]:
    """The items' versions in paper order."""
    ids = [item["version_id"] for item in items]
    found = {v.id: v for v in session.scalars(select(QuestionVersion).where(QuestionVersion.id.in_(ids)))}
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
    return [right_answer(item, version) for item, version in zip(paper_items, versions, strict=True)]


def right_answer(item: dict[str, Any], version: Any) -> Any:
    """The right answer to ``version`` (a mapped version or a row of its columns) asked as ``item``, in the letters
    shown."""
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
    """The score, and for every item the right answer, the explanation and the legal basis.

    Read as plain rows in two queries, not as mapped versions with their basis: the tablet waits for this answer
    after every submission."""
    ids = [item["version_id"] for item in attempt.items]
    versions = {row.id: row for row in session.execute(
        select(QuestionVersion.id, QuestionVersion.type, QuestionVersion.stem, QuestionVersion.answer,
               QuestionVersion.key_points, QuestionVersion.steps, QuestionVersion.explanation)
        .where(QuestionVersion.id.in_(ids)))}
    cited: dict[int, list[str]] = defaultdict(list)
    for version_id, short_name, name, kind, article in session.execute(
            select(QuestionBasis.version_id, LegalSource.short_name, LegalSource.name, LegalSource.kind,
                   QuestionBasis.article).join(LegalSource, LegalSource.id == QuestionBasis.source_id)
            .where(QuestionBasis.version_id.in_(ids)).order_by(QuestionBasis.version_id, QuestionBasis.position)):
        cited[version_id].append(format_citation(short_name or name, kind, article))
    items = []
    for fraction, item in zip(attempt.item_scores, attempt.items, strict=True):
        version = versions[item["version_id"]]
        items.append({
            "type": version.type, "stem": version.stem, "fraction": fraction, "correct": fraction >= 1.0,
            "right_answer": right_answer(item, version), "explanation": version.explanation,
            "basis": cited[version.id],
        })
    return {"attempt": attempt.public_token, "score": attempt.score, "passed": attempt.passed,
            "pass_mark": attempt.blueprint["pass_mark"], "items": items}
