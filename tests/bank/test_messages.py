"""Problem messages: English text as before, plus the template and values the web layer translates."""

from __future__ import annotations

import string

import pytest
from babel.messages.pofile import read_po
from flask import session

from quizapp.bank.problems import Message, Problem, msg
from quizapp.bank.types import QUESTION_TYPES
from quizapp.web.i18n import translate_message
from tests.conftest import REPO


def test_a_message_formats_like_before_and_keeps_its_template_and_params():
    letters = ["A", "B", "C", "D"]
    message = msg("answer {answer!r} is not one of the option letters {letters}", answer="Z",
                  letters=", ".join(letters))
    assert message == f"answer {'Z'!r} is not one of the option letters {', '.join(letters)}"
    assert type(message) is Message and isinstance(message, str)
    assert message.template == "answer {answer!r} is not one of the option letters {letters}"
    assert message.params == {"answer": "Z", "letters": "A, B, C, D"}
    assert str(Problem("law.yaml", 12, message)) == (
        "law.yaml:12: answer 'Z' is not one of the option letters A, B, C, D")
    assert msg("a list of {{point, weight}}") == "a list of {point, weight}"


def test_validator_problems_are_messages():
    problems = []
    QUESTION_TYPES["judge"].check({"answer": "也许"}, lambda field, message: problems.append(message))
    assert problems == ["a judge answer is true or false, not '也许'"]
    assert problems[0].template == "a judge answer is true or false, not {answer!r}"


@pytest.mark.parametrize(("locale", "expected"), [
    ("zh_Hans_CN", "答案 'Z' 不是选项字母 A, B, C, D 之一"),
    ("en", "answer 'Z' is not one of the option letters A, B, C, D"),
])
def test_translate_message(app, locale, expected):
    message = msg("answer {answer!r} is not one of the option letters {letters}", answer="Z", letters="A, B, C, D")
    with app.test_request_context():
        session["locale"] = locale
        assert translate_message(message) == expected
        assert translate_message("plain text") == "plain text"


def test_every_translation_keeps_the_placeholders_of_its_template():
    """Otherwise the page would show the English text (or fail) instead of the translation."""
    def fields(template: str) -> list[tuple[str, str | None]]:
        return sorted((name, conversion) for _, name, _, conversion in string.Formatter().parse(template)
                      if name is not None)

    with open(REPO / "quizapp" / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po", "rb") as stream:
        catalog = read_po(stream)
    templates = [m for m in catalog if m.id and any(path.startswith("quizapp/bank/") for path, _ in m.locations)]
    assert len(templates) > 90
    for message in templates:
        assert fields(message.string) == fields(message.id), message.id
