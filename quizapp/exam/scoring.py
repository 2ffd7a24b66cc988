"""Scoring an attempt: each item by its type's rule, then the paper out of 100 against the pass mark.

Responses are in the question's own terms (option letters in the bank's order, not the shuffled order
shown on a tablet or paper); mapping a displayed position back to a letter happens before scoring.
A response that cannot belong to the question (a letter it does not have, a wrong number of blanks)
is refused with ``ScoringError`` rather than scored as wrong: it means a tampered or broken payload.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from quizapp.bank.types import normalize_fill_answer, option_letters

MULTIPLE_RULES = ("half_for_subset", "all_or_nothing")
STEP_MARKS = ("done", "missed", "out_of_order")
ORAL_MARKS = ("correct", "partial", "wrong", "prompted")  # 答对 / 部分 / 答错 / 需提示, kept with the points
NOTE_LENGTH = 500


class ScoringError(ValueError):
    """A response that does not fit its question."""


@dataclass(frozen=True)
class ItemResult:
    fraction: float  # 0.0 to 1.0 of the item's points
    correct: bool  # full marks


@dataclass(frozen=True)
class PaperResult:
    items: tuple[ItemResult, ...]
    score: float  # out of 100, one decimal
    passed: bool


def _result(fraction: float) -> ItemResult:
    return ItemResult(round(fraction, 4), fraction >= 1.0)


def _letter_set(content: dict[str, Any], response: Any) -> set[str]:
    letters = option_letters(len(content["options"]))
    picked = [response] if isinstance(response, str) else response
    if not isinstance(picked, list) or not all(isinstance(x, str) and x in set(letters) for x in picked):
        raise ScoringError(f"the response {response!r} is not among the option letters {letters}")
    if len(set(picked)) != len(picked):
        raise ScoringError("an option letter is given twice")
    return set(picked)


def score_single(content: dict[str, Any], response: Any, rule: str) -> ItemResult:
    picked = _letter_set(content, response)
    if len(picked) > 1:
        raise ScoringError("a single-choice response is one letter")
    return _result(1.0 if picked == {content["answer"]} else 0.0)


def score_multiple(content: dict[str, Any], response: Any, rule: str) -> ItemResult:
    """All right options: full marks. With ``half_for_subset``, some right and none wrong: half."""
    picked, right = _letter_set(content, response), set(content["answer"])
    if picked == right:
        return _result(1.0)
    if rule == "half_for_subset" and picked and picked < right:
        return _result(0.5)
    return _result(0.0)


def score_judge(content: dict[str, Any], response: Any, rule: str) -> ItemResult:
    if not isinstance(response, bool):
        raise ScoringError(f"a judge response is true or false, not {response!r}")
    return _result(1.0 if response == content["answer"] else 0.0)


def score_fill(content: dict[str, Any], response: Any, rule: str) -> ItemResult:
    """Each blank counts equally; answers match after folding width, case and white space."""
    blanks = content["answer"]
    if not isinstance(response, list) or len(response) != len(blanks) or not all(
            isinstance(text, str) for text in response):
        raise ScoringError(f"a fill response lists {len(blanks)} text(s), one per blank")
    right = sum(
        normalize_fill_answer(text) in {normalize_fill_answer(alt) for alt in accepted}
        for text, accepted in zip(response, blanks, strict=True)
    )
    return _result(right / len(blanks))


def score_oral(content: dict[str, Any], response: Any, rule: str) -> ItemResult:
    """The weights of the key points the examiner heard, over all key points' weights.

    The examiner's quick mark and note are kept with the response but do not change the score.
    """
    points = content["key_points"]
    heard = response.get("points") if isinstance(response, dict) else None
    if not isinstance(heard, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(points) for i in heard):
        raise ScoringError(f"an oral response names the key points heard, by number 0 to {len(points) - 1}")
    if response.get("mark", "") not in ("", *ORAL_MARKS) or not isinstance(response.get("note", ""), str) \
            or len(response.get("note", "")) > NOTE_LENGTH:
        raise ScoringError(f"an oral response's mark is one of {', '.join(ORAL_MARKS)}, with a short note")
    total = sum(point["weight"] for point in points)
    return _result(sum(points[i]["weight"] for i in set(heard)) / total)


def score_practical(content: dict[str, Any], response: Any, rule: str) -> ItemResult:
    """Steps done count fully, out of order half; a missed critical step fails the item."""
    steps = content["steps"]
    marks = response.get("steps") if isinstance(response, dict) else None
    if not isinstance(marks, list) or len(marks) != len(steps) or not all(m in STEP_MARKS for m in marks):
        raise ScoringError(f"a practical response marks each of the {len(steps)} steps as "
                           f"{', '.join(STEP_MARKS)}")
    if any(mark == "missed" and step["critical"] for mark, step in zip(marks, steps, strict=True)):
        return _result(0.0)
    earned = sum({"done": 1.0, "out_of_order": 0.5, "missed": 0.0}[mark] for mark in marks)
    return _result(earned / len(steps))


SCORERS: dict[str, Callable[[dict[str, Any], Any, str], ItemResult]] = {
    "single": score_single,
    "multiple": score_multiple,
    "judge": score_judge,
    "fill": score_fill,
    "oral": score_oral,
    "practical": score_practical,
}


def score_item(content: dict[str, Any], response: Any, multiple_rule: str = "half_for_subset") -> ItemResult:
    """Score one answered item; an unanswered item (``None``) earns nothing."""
    if multiple_rule not in MULTIPLE_RULES:
        raise ScoringError(f"unknown multiple-choice rule {multiple_rule!r}")
    if response is None:
        return _result(0.0)
    return SCORERS[content["type"]](content, response, multiple_rule)


def score_paper(contents: Sequence[dict[str, Any]], responses: Sequence[Any], pass_mark: float = 80,
                multiple_rule: str = "half_for_subset") -> PaperResult:
    """Every item weighs the same; the paper is scored out of 100 and passes at ``pass_mark``."""
    if len(contents) != len(responses):
        raise ScoringError(f"the paper has {len(contents)} items but {len(responses)} responses were given")
    if not contents:
        raise ScoringError("an empty paper cannot be scored")
    items = tuple(score_item(content, response, multiple_rule)
                  for content, response in zip(contents, responses, strict=True))
    score = round(100 * sum(item.fraction for item in items) / len(items), 1)
    return PaperResult(items, score, score >= pass_mark)
