"""Question types as a registry of classes: each knows its own fields and how to check them.

A new type is one new class registered in ``QUESTION_TYPES``, not an ``if type == …`` in ten places.
Scoring (``quizapp.exam``) and rendering build on the same classes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from quizapp.bank.problems import msg

LETTERS = "ABCDEFGH"
BLANK = re.compile(r"_{3,}|＿{3,}")

Report = Callable[[str, str], None]
"""``report(field, message)``: record a problem with one field of the question being checked."""


def normalize_fill_answer(text: str) -> str:
    """Fold full-width to half-width, case and white space, so ``６ ＫＧ`` equals ``6kg``."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def option_letters(count: int) -> str:
    return LETTERS[:count]


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        value = str(value)
    return value.strip() if isinstance(value, str) and value.strip() else None


class QuestionType:
    """Base class: the type's code, its label, and the content fields it uses."""

    code: str = ""
    label: str = ""
    uses = frozenset[str]()
    objective = True

    def check(self, data: dict[str, Any], report: Report) -> dict[str, Any]:
        """Check the type's own fields in ``data`` and return them normalised."""
        content: dict[str, Any] = {"options": [], "answer": None, "key_points": [], "steps": []}
        for field in ("options", "answer", "key_points", "steps"):
            if field not in self.uses and data.get(field) not in (None, [], ""):
                report(field, msg("a {kind} question has no {field}", kind=self.code, field=field))
        content.update(self._check(data, report))
        return content

    def _check(self, data: dict[str, Any], report: Report) -> dict[str, Any]:
        raise NotImplementedError

    def _options(self, data: dict[str, Any], report: Report, minimum: int) -> list[str]:
        options = data.get("options")
        if not isinstance(options, list):
            report("options", msg("options must be a list of {minimum} to {maximum} texts",
                                   minimum=minimum, maximum=len(LETTERS)))
            return []
        texts = [_text(option) for option in options]
        if any(text is None for text in texts):
            report("options", msg("every option needs a text"))
        texts = [text for text in texts if text]
        if not minimum <= len(options) <= len(LETTERS):
            report("options", msg("a {kind} question needs {minimum} to {maximum} options, not {count}",
                                   kind=self.code, minimum=minimum, maximum=len(LETTERS), count=len(options)))
        if len(set(texts)) != len(texts):
            report("options", msg("two options have the same text"))
        return texts


class SingleChoice(QuestionType):
    code, label, uses = "single", "单选题", frozenset({"options", "answer"})

    def _check(self, data, report):
        options = self._options(data, report, minimum=2)
        answer = _text(data.get("answer"))
        letters = option_letters(len(options))
        if answer is None:
            report("answer", msg("a single-choice answer is one option letter, e.g. B"))
        elif answer.upper() not in letters or len(answer) != 1:
            report("answer", msg("answer {answer!r} is not one of the option letters {letters}",
                                  answer=answer, letters=", ".join(letters)))
        else:
            answer = answer.upper()
        return {"options": options, "answer": answer}


class MultipleChoice(QuestionType):
    code, label, uses = "multiple", "多选题", frozenset({"options", "answer"})

    def _check(self, data, report):
        options = self._options(data, report, minimum=3)
        raw = data.get("answer")
        if isinstance(raw, str):
            picked = [letter for letter in raw.upper() if letter.isalpha()]
        elif isinstance(raw, list) and all(isinstance(item, str) for item in raw):
            picked = [item.strip().upper() for item in raw]
        else:
            report("answer", msg("a multiple-choice answer is a list of option letters, e.g. [A, C]"))
            return {"options": options, "answer": None}
        letters = option_letters(len(options))
        wrong = [letter for letter in picked if letter not in letters]
        if wrong:
            report("answer", msg("answer letters {wrong} are not among the options {letters}",
                                  wrong=", ".join(wrong), letters=", ".join(letters)))
        if len(set(picked)) != len(picked):
            report("answer", msg("an answer letter is repeated"))
        if len(set(picked)) < 2:
            report("answer", msg("a multiple-choice question needs at least 2 correct options"))
        return {"options": options, "answer": sorted(set(picked))}


class Judge(QuestionType):
    code, label, uses = "judge", "判断题", frozenset({"answer"})

    def _check(self, data, report):
        answer = data.get("answer")
        if not isinstance(answer, bool):
            report("answer", msg("a judge answer is true or false, not {answer!r}", answer=answer))
            answer = None
        return {"answer": answer}


class Fill(QuestionType):
    code, label, uses = "fill", "填空题", frozenset({"answer"})

    def _check(self, data, report):
        blanks = len(BLANK.findall(str(data.get("stem") or "")))
        if blanks == 0:
            report("stem", msg("a fill question marks each blank with three or more underscores (___)"))
        raw = data.get("answer")
        if isinstance(raw, str | int | float) and not isinstance(raw, bool):
            raw = [raw]
        if not isinstance(raw, list) or not raw:
            report("answer", msg("a fill answer is a list with one entry per blank"))
            return {"answer": None}
        accepted: list[list[str]] = []
        for number, entry in enumerate(raw, start=1):
            alternatives = entry if isinstance(entry, list) else [entry]
            texts = [_text(item) for item in alternatives]
            if not texts or any(text is None for text in texts):
                report("answer", msg("blank {number} needs at least one accepted answer text", number=number))
            texts = [text for text in texts if text]
            if len({normalize_fill_answer(text) for text in texts}) != len(texts):
                report("answer", msg("blank {number} lists the same accepted answer twice", number=number))
            accepted.append(texts)
        if blanks and len(accepted) != blanks:
            report("answer", msg("the stem has {blanks} blank(s) but the answer gives {count}",
                                  blanks=blanks, count=len(accepted)))
        return {"answer": accepted}


class Oral(QuestionType):
    code, label, uses = "oral", "口述题", frozenset({"key_points"})
    objective = False

    def _check(self, data, report):
        raw = data.get("key_points")
        if not isinstance(raw, list) or not raw:
            report("key_points", msg("an oral question needs key_points: a list of {{point, weight}}"))
            return {}
        points = []
        for number, item in enumerate(raw, start=1):
            item = item if isinstance(item, dict) else {}
            point = _text(item.get("point"))
            weight = item.get("weight", 1)
            if point is None:
                report("key_points", msg("key point {number} needs a point text", number=number))
            if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
                report("key_points", msg("key point {number} needs a positive weight, not {weight!r}",
                                          number=number, weight=weight))
                weight = 1
            extra = set(item) - {"point", "weight"}
            if extra:
                report("key_points", msg("key point {number} has unknown field(s) {fields}",
                                          number=number, fields=", ".join(sorted(extra))))
            points.append({"point": point or "", "weight": weight})
        return {"key_points": points}


class Practical(QuestionType):
    code, label, uses = "practical", "手指口述", frozenset({"steps"})
    objective = False

    def _check(self, data, report):
        raw = data.get("steps")
        if not isinstance(raw, list) or len(raw) < 2:
            report("steps", msg("a practical question needs at least 2 steps: a list of {{text, critical}}"))
            return {}
        steps = []
        for number, item in enumerate(raw, start=1):
            item = item if isinstance(item, dict) else {"text": item}
            text = _text(item.get("text"))
            critical = item.get("critical", False)
            if text is None:
                report("steps", msg("step {number} needs a text", number=number))
            if not isinstance(critical, bool):
                report("steps", msg("step {number}: critical is true or false, not {critical!r}",
                                     number=number, critical=critical))
                critical = False
            extra = set(item) - {"text", "critical"}
            if extra:
                report("steps", msg("step {number} has unknown field(s) {fields}",
                                     number=number, fields=", ".join(sorted(extra))))
            steps.append({"text": text or "", "critical": critical})
        return {"steps": steps}


QUESTION_TYPES: dict[str, QuestionType] = {
    kind.code: kind() for kind in (SingleChoice, MultipleChoice, Judge, Fill, Oral, Practical)
}
