"""The text syntax of one question field in a spreadsheet cell or a web form's text box.

Spreadsheets (``bank.xlsx``) and the web editor hold a question field by field as text; these
functions turn such text into the values ``check_question`` expects, and back. The validator, not
these parsers, decides what is valid: text a parser cannot make sense of is passed on for the
validator to report against the field.

- answer: single ``B``; multiple ``ACD`` or ``A,C,D``; judge 对 正确 √ 是 T true yes, or 错 错误 × 否 F
  false no; fill: blanks separated by ``；`` (or ``;`` or a line break), the accepted answers of one
  blank by ``/``, e.g. ``6/六；3/三``.
- basis: one citation per line (or ``；``): the source (a code, short name or 《full title》), white
  space, the article: ``安全生产法 28``, ``GB 30871-2022 5.3.2``. The article is what follows the last
  white space.
- roles, industries, topics: names or codes separated by ``、`` ``，`` ``,`` ``；`` ``;`` or white space.
- key points: one per line (or ``；``): ``text（weight）`` or ``text(weight)``; no weight means 1.
- steps: one per line; a leading ``★`` (or ``*``) marks a critical step.

A backslash makes the next separator character part of the text: ``\\/`` ``\\；`` ``\\;`` ``\\、``
``\\，`` ``\\,`` ``\\★`` ``\\*``, a backslash before white space or a line break, and ``\\\\`` for a
backslash; before any other character a backslash is just a backslash. The formatters add one only
where text would otherwise be split (a fill answer ``1/3``, say), so every question survives a round
trip.
"""

from __future__ import annotations

import re
from typing import Any

TRUE_WORDS = {"对", "正确", "√", "✓", "是", "t", "true", "yes", "y"}
FALSE_WORDS = {"错", "错误", "×", "✗", "否", "f", "false", "no", "n"}
CRITICAL_MARKS = ("★", "*")

_ESCAPE = r"\\[\\/、,，;；★*\s]"
_UNESCAPE = re.compile(r"\\([\\/、,，;；★*\s])")
_LIST_SEPARATORS = re.compile(_ESCAPE + r"|[\n；;]")
_ALTERNATIVE_SEPARATOR = re.compile(_ESCAPE + r"|/")
_TAG_SEPARATORS = re.compile(_ESCAPE + r"|[、,，;；\s]+")
_LINE_SEPARATOR = re.compile(_ESCAPE + r"|\n")
_WHITE_SPACE = re.compile(_ESCAPE + r"|\s+")
_WEIGHT = re.compile(r"^(.*?)[（(]\s*(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*[)）]\s*$", re.S)
_LETTER = re.compile(r"[A-Za-z]")
# What the formatters escape in each kind of text (a backslash always).
BLANK_SPECIALS = r"/\n；;"
TAG_SPECIALS = r"、,，;；\s"
ARTICLE_SPECIALS = r"\n；;\s"
POINT_SPECIALS = r"\n；;"
STEP_SPECIALS = r"\n"


def cell_text(value: Any) -> str:
    """A cell as text: Excel gives 6.0 for 6, and None for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _split(text: str, separators: re.Pattern[str]) -> list[str]:
    """Split at the separators that no backslash escapes; the pieces keep their escapes."""
    if "\\" not in text:
        return [piece.strip() for piece in separators.split(text) if piece.strip()]
    pieces, start = [], 0
    for match in separators.finditer(text):
        if not match.group().startswith("\\"):
            pieces.append(text[start:match.start()])
            start = match.end()
    pieces.append(text[start:])
    return [piece.strip() for piece in pieces if piece.strip()]


def _unescape(text: str) -> str:
    return _UNESCAPE.sub(r"\1", text).strip() if "\\" in text else text.strip()


def escape(text: str, specials: str) -> str:
    return re.sub(f"([\\\\{specials}])", r"\\\1", text)


def parse_answer(kind: str, text: str) -> Any:
    if kind == "multiple":
        return _LETTER.findall(text) or text
    if kind == "judge":
        word = text.lower()
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else text
    if kind == "fill":
        return [[_unescape(alternative) for alternative in _split(blank, _ALTERNATIVE_SEPARATOR)]
                for blank in _split(text, _LIST_SEPARATORS)] or text
    return text


def format_answer(kind: str, answer: Any) -> str:
    if answer is None:
        return ""
    if kind == "multiple":
        return "".join(answer)
    if kind == "judge":
        return "对" if answer else "错"
    if kind == "fill":
        return "；".join("/".join(escape(text, BLANK_SPECIALS) for text in blank) for blank in answer)
    return str(answer)


def parse_basis(text: str) -> list[dict[str, str]]:
    citations = []
    for citation in _split(text, _LIST_SEPARATORS):
        gaps = [match for match in _WHITE_SPACE.finditer(citation) if not match.group().startswith("\\")]
        if gaps:
            citations.append({"source": _unescape(citation[:gaps[-1].start()]),
                              "article": _unescape(citation[gaps[-1].end():])})
        else:
            citations.append({"source": _unescape(citation), "article": ""})
    return citations


def format_basis(basis: list[dict[str, str]], source_names: dict[str, str]) -> str:
    """Citations one per line; ``source_names`` maps a source code to the name to write for it."""
    return "\n".join(f"{source_names.get(c['source'], c['source'])} {escape(c['article'], ARTICLE_SPECIALS)}"
                     for c in basis)


def parse_tags(text: str) -> list[str]:
    return [_unescape(tag) for tag in _split(text, _TAG_SEPARATORS)]


def format_tags(codes: list[str], names: dict[str, str]) -> str:
    """Tags joined by 、; ``names`` maps a code to its (already escaped) written name."""
    return "、".join(names.get(code, code) for code in codes)


def parse_key_points(text: str) -> list[dict[str, Any]]:
    points = []
    for line in _split(text, _LIST_SEPARATORS):
        match = _WEIGHT.match(line)
        if match is None:
            points.append({"point": _unescape(line), "weight": 1})
            continue
        number = match.group(2)
        weight = float(number) if any(mark in number for mark in ".eE") else int(number)
        points.append({"point": _unescape(match.group(1)), "weight": weight})
    return points


def format_key_points(points: list[dict[str, Any]]) -> str:
    return "\n".join(f"{escape(point['point'], POINT_SPECIALS)}（{point['weight']}）" for point in points)


def parse_steps(text: str) -> list[dict[str, Any]]:
    steps = []
    for line in _split(text, _LINE_SEPARATOR):
        critical = line.startswith(CRITICAL_MARKS)
        steps.append({"text": _unescape(line[1:] if critical else line), "critical": critical})
    return steps


def format_steps(steps: list[dict[str, Any]]) -> str:
    def step_text(text: str) -> str:
        # A leading ★ or * in the text itself must not read back as the critical mark.
        text = escape(text, STEP_SPECIALS)
        return "\\" + text if text.startswith(CRITICAL_MARKS) else text

    return "\n".join(("★" if step["critical"] else "") + step_text(step["text"]) for step in steps)
