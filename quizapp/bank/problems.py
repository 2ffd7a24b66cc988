"""Problems found in bank files, reported as ``file:line: message``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class Message(str):
    """A problem message: the English text, which also keeps its ``template`` and ``params``.

    The bank code has no Flask and so cannot translate; the web layer translates ``template`` and
    formats it again with ``params``. Everywhere else the message is just its English text.
    """

    template: str
    params: dict[str, Any]


def msg(template: str, **params: Any) -> Message:
    """``template.format(**params)`` as a Message; the template is literal so Babel can extract it."""
    message = Message(template.format(**params))
    message.template = template
    message.params = params
    return message


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    message: str
    field: str | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class BankError(Exception):
    """A bank file could not be used; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
