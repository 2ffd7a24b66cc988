"""Which reader handles which file, by its ending."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from quizapp.bank import gift, xlsx, yamlformat
from quizapp.bank.problems import Problem, msg
from quizapp.bank.validate import RawQuestion

Reader = Callable[[Path, str], tuple[list[RawQuestion], list[Problem]]]

READERS: dict[str, Reader] = {
    ".yaml": yamlformat.read,
    ".yml": yamlformat.read,
    ".xlsx": xlsx.read,
    ".gift": gift.read,
}


def read_question_file(path: Path, display: str) -> tuple[list[RawQuestion], list[Problem]]:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        return [], [Problem(display, 0, msg("unsupported file type {suffix!r}; use {suffixes}",
                                            suffix=path.suffix, suffixes=", ".join(sorted(READERS))))]
    return reader(path, display)
