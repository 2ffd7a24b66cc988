"""Question banks in Moodle's GIFT text format, for exchange with Moodle and other LMSs.

A question is a block of lines separated from the next by a blank line. What GIFT cannot express
goes into ``//`` comment lines above the question, as ``[name:value]`` tags (Moodle itself reads
``[id:…]`` as the question's ID number and each ``[tag:…]`` as a tag). The writer puts id, type,
tags and citations on one line; the reader takes tags from any comment line of the block::

    // [id:EX-1] [type:single] [tag:role:worker] [tag:industry:general] [tag:topic:law-responsibility] …
    // … [tag:difficulty:2] [tag:status:active] [basis:work-safety-law 55]
    ::EX-1::从业人员发现直接危及人身安全的紧急情况时，（  ）。{
    ~必须继续作业
    =有权停止作业或者在采取可能的应急措施后撤离作业场所
    ####安全生产法赋予从业人员紧急情况下停止作业和撤离的权利。
    }

- ``[basis:<source code> <article>]``, one per citation; the article is what follows the first space.
- Answers are listed in option order, so the letters survive. single: ``=right ~wrong``;
  multiple: ``~%50%right ~%-100%wrong`` (the correct ones share 100%); judge: ``TRUE`` or ``FALSE``.
- fill with one blank: a short-answer question whose stem keeps its own ``___`` blank (so that it
  survives exactly) with the block ``{=6 =六}`` after it. With several blanks: an essay ``{}`` in
  Moodle, and the answers in ``// [blank:1:6|六]`` comments, one per blank.
- oral and practical: essays ``{}``, with ``// [keypoint:WEIGHT:text]`` or
  ``// [step:critical:text]`` / ``// [step:normal:text]`` comments in order.
- The explanation is the general feedback ``####text``.

Text escapes ``~ = # { } :`` and ``\\`` with a backslash and writes a line break as ``\\n``; tag
values escape ``]``, ``|`` and ``\\`` and write a line break as ``\\n``.

GIFT written elsewhere reads too: without ``[id:…]`` the ``::title::`` is the id; without
``[type:…]`` the block decides (``{}`` is an oral question); a block inside the text, as in
``有效期为{=6 =六}年``, becomes a ``___`` blank. Numeric and matching questions, per-answer feedback
and several answer blocks in one question are not supported: the reader reports them as problems
and goes on with the next question.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quizapp.bank.problems import Problem, msg
from quizapp.bank.taxonomy import TaxonomySpec
from quizapp.bank.types import LETTERS
from quizapp.bank.validate import QuestionSpec, RawQuestion

TEXT_SPECIALS = re.compile(r"([\\~=#{}:])")
TEXT_ESCAPE = re.compile(r"\\(.)", re.S)
TAG_LINE = re.compile(r"(?:\s*\[[a-z]+:(?:\\.|[^\\\]])*\])+\s*")
TAG = re.compile(r"\[([a-z]+):((?:\\.|[^\\\]])*)\]")
TAG_SPECIALS = re.compile(r"([\\\]|])")
ALTERNATIVE_SEPARATOR = re.compile(r"\\.|\|")
WEIGHT = re.compile(r"\s*%(-?\d+(?:\.\d+)?)%")
SHAPES = {"single": ("choice",), "multiple": ("choice",), "judge": ("judge",), "fill": ("short", "essay"),
          "oral": ("essay",), "practical": ("essay",)}
"""The answer block shapes each type may have: choice {=a ~b}, judge {TRUE}, short {=a =b}, essay {}."""
BLOCK_SYNTAX = {"single": "{=right ~wrong …}", "multiple": "{~%50%right ~%-100%wrong …}",
                "judge": "{TRUE} or {FALSE}", "fill": "{=answer =other}", "oral": "{}", "practical": "{}"}
UNSUPPORTED_FEEDBACK = msg("per-answer feedback (#…) is not supported; use the general feedback ####")
JUDGE_WORDS = {"t": True, "true": True, "f": False, "false": False}
TAG_FIELDS = {"role": "roles", "industry": "industries", "topic": "topics"}
SINGLE_FIELDS = ("difficulty", "status")

Put = Callable[[str, Any, int], None]
"""``put(field, value, line)``: set a field of the question being read and remember its line."""
Answer = tuple[str, float | None, str]
"""One answer of a block: its mark (= or ~), its %weight% if any, and its text."""


class GiftError(Exception):
    """A question that cannot be read at all; ``line`` is where the reader gave up."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


# --- writing -------------------------------------------------------------------------------------


def write(questions: list[QuestionSpec], taxonomy: TaxonomySpec, path: Path) -> None:
    """Write the questions as GIFT; ``taxonomy`` is not needed, since the tags hold codes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n\n".join(_question_text(spec) for spec in questions) + "\n", encoding="utf-8")


def _question_text(spec: QuestionSpec) -> str:
    content = spec.content
    kind = content["type"]
    tags = [f"[id:{_tag_escape(spec.code)}]", f"[type:{kind}]"]
    for prefix, name in TAG_FIELDS.items():
        tags += [f"[tag:{prefix}:{_tag_escape(code)}]" for code in content[name]]
    tags += [f"[tag:difficulty:{content['difficulty']}]", f"[tag:status:{spec.status}]"]
    tags += [f"[basis:{_tag_escape(c['source'])} {_tag_escape(c['article'])}]" for c in content["basis"]]
    lines = ["// " + " ".join(tags)]
    lines += [f"// [keypoint:{p['weight']}:{_tag_escape(p['point'])}]" for p in content["key_points"]]
    lines += [f"// [step:{'critical' if s['critical'] else 'normal'}:{_tag_escape(s['text'])}]"
              for s in content["steps"]]
    if kind == "fill" and len(content["answer"]) > 1:
        lines += [f"// [blank:{number}:{'|'.join(_tag_escape(text) for text in blank)}]"
                  for number, blank in enumerate(content["answer"], start=1)]
    lines.append(f"::{_escape(spec.code)}::{_escape(content['stem'])}{{")
    lines += _answer_lines(kind, content["answer"], content["options"])
    lines += [f"####{_escape(content['explanation'])}", "}"]
    return "\n".join(lines)


def _answer_lines(kind: str, answer: Any, options: list[str]) -> list[str]:
    """The lines inside the braces, before the general feedback; none for essays and several blanks."""
    lettered = zip(LETTERS, options, strict=False)
    if kind == "single":
        return [_choice("=" if letter == answer else "~", None, text) for letter, text in lettered]
    if kind == "multiple":
        share = f"{100 / len(answer):.5f}".rstrip("0").rstrip(".")
        return [_choice("~", share if letter in answer else "-100", text) for letter, text in lettered]
    if kind == "judge":
        return ["TRUE" if answer else "FALSE"]
    if kind == "fill" and len(answer) == 1:
        return [_choice("=", None, text) for text in answer[0]]
    return []


def _choice(mark: str, weight: str | None, text: str) -> str:
    """One answer line; a text that itself starts with ``%n%`` gets an explicit weight to protect it."""
    if weight is None and WEIGHT.match(text):
        weight = "100" if mark == "=" else "0"
    return f"{mark}%{weight}%{_escape(text)}" if weight is not None else f"{mark}{_escape(text)}"


def _escape(text: str) -> str:
    return TEXT_SPECIALS.sub(r"\\\1", text).replace("\n", "\\n")


def _tag_escape(text: str) -> str:
    return TAG_SPECIALS.sub(r"\\\1", str(text)).replace("\n", "\\n")


# --- reading -------------------------------------------------------------------------------------


@dataclass
class _Block:
    """One question's lines: comment lines apart, the others joined with their line numbers kept."""

    first_line: int
    comments: list[tuple[int, str]] = field(default_factory=list)
    body: str = ""
    body_lines: list[int] = field(default_factory=list)
    line_starts: list[int] = field(default_factory=list)

    def line_at(self, offset: int) -> int:
        """The file line of a position in ``body``."""
        return self.body_lines[max(bisect_right(self.line_starts, offset) - 1, 0)]


def read(path: Path, display: str) -> tuple[list[RawQuestion], list[Problem]]:
    """Read every question; one that cannot be read is reported and the next one is read all the same."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        return [], [Problem(display, 0, msg("cannot read the GIFT file as UTF-8 text: {error}", error=str(error)))]
    raws: list[RawQuestion] = []
    problems: list[Problem] = []
    for block in _blocks(text):
        try:
            raws.append(_read_question(block, display, problems))
        except GiftError as error:
            problems.append(Problem(display, error.line, error.message))
    return raws, problems


def _blocks(text: str) -> list[_Block]:
    """Split the file at blank lines; skip blocks of comments only and ``$CATEGORY:`` lines."""
    blocks: list[_Block] = []
    current: _Block | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip():
            current = None
            continue
        if current is None:
            current = _Block(number)
            blocks.append(current)
        if line.lstrip().startswith("//"):
            current.comments.append((number, line.lstrip()[2:]))
        else:
            current.line_starts.append(len(current.body) + (1 if current.body_lines else 0))
            current.body = f"{current.body}\n{line}" if current.body_lines else line
            current.body_lines.append(number)
    return [block for block in blocks
            if block.body.strip() and not block.body.lstrip().startswith("$CATEGORY:")]


def _read_question(block: _Block, display: str, problems: list[Problem]) -> RawQuestion:
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}

    def put(name: str, value: Any, line: int) -> None:
        data[name] = value
        lines.setdefault(name, line)

    blanks, blanks_line = _read_tags(block, display, problems, put)
    body = block.body
    title_end = 0
    if body.lstrip().startswith("::"):
        start = body.index("::") + 2
        title_end = _find(body, "::", start)
        if title_end < 0:
            raise GiftError(block.line_at(start), msg("the title ::… is not closed with ::"))
        if "id" not in data:
            put("id", _unescape(body[start:title_end]), block.line_at(start))
        title_end += 2
    opening = _find(body, "{", title_end)
    if opening < 0:
        raise GiftError(block.line_at(title_end), msg("no answer block {{…}}: descriptions are not supported"))
    closing = _find(body, "}", opening)
    if closing < 0:
        raise GiftError(block.line_at(opening), msg("the answer block {{ is not closed with }}"))
    after = body[closing + 1:]
    if _find(body, "{", closing) >= 0:
        raise GiftError(block.line_at(_find(body, "{", closing)), msg("a question has one answer block only"))
    stem = _unescape(body[title_end:opening])
    if after.strip():
        stem = f"{stem}___{_unescape(after)}"
    put("stem", stem, block.line_at(title_end))
    shape, answers = _read_answers(block, opening + 1, closing, display, problems, put)
    if "type" not in data:
        put("type", _infer_type(shape, answers), block.line_at(opening))
    kind = data["type"]
    _put_answer(kind, shape, answers, block.line_at(opening), put)
    if blanks and kind != "fill":
        problems.append(Problem(display, blanks_line, msg("[blank:…] comments belong to fill questions"),
                                "answer"))
    elif blanks and shape == "essay":
        put("answer", blanks, blanks_line)
    elif kind == "fill" and shape == "essay":
        raise GiftError(block.line_at(opening), msg("a fill question needs {{=answer =other}} for one blank, "
                                                    "or {{}} and a // [blank:N:answer|other] comment per blank"))
    elif blanks:
        raise GiftError(blanks_line, msg("a fill question gives its answers either in {{=… =…}} or in "
                                         "[blank:…] comments, not both"))
    return RawQuestion(display, block.first_line, data, lines)


def _read_tags(block: _Block, display: str, problems: list[Problem], put: Put) -> tuple[list[list[str]], int]:
    """Put the comment tags' values into the question; return the [blank:…] answers and their line.

    The blanks are returned rather than put, because whether they are the answer depends on the block.
    """
    blanks: list[list[str]] = []
    blanks_line = block.first_line
    lists: dict[str, list[Any]] = {}
    for line, comment in block.comments:
        if not TAG_LINE.fullmatch(comment):
            continue
        for name, raw_value in TAG.findall(comment):
            value = _tag_unescape(raw_value)
            if name in ("id", "type"):
                put(name, value, line)
            elif name == "tag":
                category, _, tag = value.partition(":")
                if category in TAG_FIELDS:
                    lists.setdefault(TAG_FIELDS[category], []).append(tag)
                    put(TAG_FIELDS[category], lists[TAG_FIELDS[category]], line)
                elif category in SINGLE_FIELDS:
                    put(category, int(tag) if tag.isdigit() else tag, line)
                else:
                    problems.append(Problem(display, line, msg("unknown tag [tag:{value}]: expected role:, "
                                                               "industry:, topic:, difficulty: or status:",
                                                               value=value)))
            elif name == "basis":
                source, _, article = value.strip().partition(" ")
                lists.setdefault("basis", []).append({"source": source, "article": article.strip()})
                put("basis", lists["basis"], line)
            elif name == "keypoint":
                weight, _, point = value.partition(":")
                lists.setdefault("key_points", []).append({"point": point, "weight": _number(weight)})
                put("key_points", lists["key_points"], line)
            elif name == "step":
                mark, _, text = value.partition(":")
                if mark not in ("critical", "normal"):
                    problems.append(Problem(display, line, msg("a step is [step:critical:…] or [step:normal:…], "
                                                               "not [step:{mark}:…]", mark=mark), "steps"))
                lists.setdefault("steps", []).append({"text": text, "critical": mark == "critical"})
                put("steps", lists["steps"], line)
            elif name == "blank":
                number, _, alternatives = raw_value.partition(":")
                if number != str(len(blanks) + 1):
                    problems.append(Problem(display, line, msg("blanks are numbered 1, 2, 3 … in order; "
                                                               "expected [blank:{number}:…]",
                                                               number=len(blanks) + 1), "answer"))
                blanks_line = line if not blanks else blanks_line
                blanks.append([_tag_unescape(text) for text in _split(alternatives, ALTERNATIVE_SEPARATOR)])
            else:
                problems.append(Problem(display, line, msg("unknown comment tag [{name}:…]", name=name)))
    return blanks, blanks_line


def _read_answers(block: _Block, start: int, end: int, display: str, problems: list[Problem],
                  put: Put) -> tuple[str, list[Answer]]:
    """The answer block's shape (essay, judge, short, choice) and its answers (mark, weight, text)."""
    inside = block.body[start:end]
    feedback = _find(inside, "####")
    if feedback >= 0:
        put("explanation", _unescape(inside[feedback + 4:]), block.line_at(start + feedback))
        inside = inside[:feedback]
    if not inside.strip():
        return "essay", []
    if inside.lstrip().startswith("#"):
        raise GiftError(block.line_at(start), msg("numeric questions {{#…}} are not supported"))
    marks = _find_all(inside, "=~")
    if not marks:
        answer_feedback = _find(inside, "#")
        word = (inside[:answer_feedback] if answer_feedback >= 0 else inside).strip().lower()
        if word not in JUDGE_WORDS:
            raise GiftError(block.line_at(start), msg("answers start with = or ~, or the block is TRUE or FALSE"))
        if answer_feedback >= 0:
            problems.append(Problem(display, block.line_at(start), UNSUPPORTED_FEEDBACK))
        return "judge", [("=", None, word)]
    if inside[:marks[0]].strip():
        raise GiftError(block.line_at(start), msg("answers start with = or ~"))
    answers = []
    for position, next_position in zip(marks, [*marks[1:], len(inside)], strict=True):
        mark, text = inside[position], inside[position + 1:next_position]
        weight = WEIGHT.match(text)
        if weight:
            text = text[weight.end():]
        answer_feedback = _find(text, "#")
        if answer_feedback >= 0:
            problems.append(Problem(display, block.line_at(start + position), UNSUPPORTED_FEEDBACK))
            text = text[:answer_feedback]
        answers.append((mark, float(weight.group(1)) if weight else None, _unescape(text)))
    if all(mark == "=" for mark, _, _ in answers):
        if all("->" in text for _, _, text in answers):
            raise GiftError(block.line_at(start), msg("matching questions (=a -> b) are not supported"))
        return "short", answers
    return "choice", answers


def _infer_type(shape: str, answers: list[Answer]) -> str:
    """The type of a question without [type:…], as Moodle would see it."""
    if shape == "choice":
        weighted = any(weight is not None for _, weight, _ in answers)
        return "multiple" if weighted or sum(mark == "=" for mark, _, _ in answers) != 1 else "single"
    return {"essay": "oral", "judge": "judge", "short": "fill"}[shape]


def _put_answer(kind: str, shape: str, answers: list[Answer], line: int, put: Put) -> None:
    """Turn the answer block into the fields of ``kind``; a block that does not fit the type is an error."""
    if shape not in SHAPES.get(kind, (shape,)):
        raise GiftError(line, msg("a {kind} question's answer block must be {syntax}",
                                 kind=kind, syntax=BLOCK_SYNTAX[kind]))
    if shape == "choice":
        put("options", [text for _, _, text in answers], line)
        letters = [letter for letter, (mark, weight, _) in zip(LETTERS, answers, strict=False)
                   if mark == "=" or (weight is not None and weight > 0)]
        put("answer", letters if kind == "multiple" else "".join(letters), line)
    elif shape == "judge":
        put("answer", JUDGE_WORDS[answers[0][2]], line)
    elif shape == "short":
        put("answer", [[text for _, _, text in answers]], line)


def _find(text: str, token: str, start: int = 0) -> int:
    """The first position of ``token`` at or after ``start`` that no backslash escapes, or -1."""
    position = start
    while position < len(text):
        if text[position] == "\\":
            position += 2
        elif text.startswith(token, position):
            return position
        else:
            position += 1
    return -1


def _find_all(text: str, characters: str) -> list[int]:
    """Every position of one of ``characters`` that no backslash escapes."""
    return [match.start() for match in re.finditer(r"\\.|[" + re.escape(characters) + "]", text, re.S)
            if not match.group().startswith("\\")]


def _split(text: str, separators: re.Pattern[str]) -> list[str]:
    """Split at separators that no backslash escapes; the pieces keep their escapes."""
    pieces, start = [], 0
    for match in separators.finditer(text):
        if not match.group().startswith("\\"):
            pieces.append(text[start:match.start()])
            start = match.end()
    return [*pieces, text[start:]]


def _unescape(text: str) -> str:
    """GIFT text: ``\\n`` is a line break, ``\\x`` is x for the special characters, else kept as is."""
    def replace(match: re.Match[str]) -> str:
        character = match.group(1)
        return "\n" if character == "n" else character if character in "\\~=#{}:" else match.group()
    return TEXT_ESCAPE.sub(replace, text).strip()


def _tag_unescape(text: str) -> str:
    return TEXT_ESCAPE.sub(lambda match: "\n" if match.group(1) == "n" else match.group(1), text).strip()


def _number(text: str) -> Any:
    """A key point's weight as written: 2 stays int, 2.5 and 2.0 are floats, anything else stays text."""
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text
