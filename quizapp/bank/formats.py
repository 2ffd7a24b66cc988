"""Which reader handles which file, by its ending."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from quizapp.bank import gift, xlsx, yamlformat
from quizapp.bank.problems import Problem, msg
from quizapp.bank.validate import Bank, RawQuestion, load_bank

Reader = Callable[[Path, str], tuple[list[RawQuestion], list[Problem]]]

READERS: dict[str, Reader] = {
    ".yaml": yamlformat.read,
    ".yml": yamlformat.read,
    ".xlsx": xlsx.read,
    ".gift": gift.read,
}


def load_upload(session: Session, filename: str, save: Callable[[Path], object]) -> Bank:
    """Check an uploaded question file exactly as ``bank validate`` checks a file on disk.

    ``save(path)`` writes the upload; it is checked in a temporary folder under its own base name,
    so problems name the file the user chose and a later upload of the same file retires what was
    removed from it.
    """
    name = Path(filename.replace("\\", "/")).name
    if not name or name.startswith("."):
        name = "upload" + Path(filename).suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / name
        save(target)
        return load_bank(target, session, display_root=Path(folder))


def read_question_file(path: Path, display: str) -> tuple[list[RawQuestion], list[Problem]]:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        return [], [Problem(display, 0, msg("unsupported file type {suffix!r}; use {suffixes}",
                                            suffix=path.suffix, suffixes=", ".join(sorted(READERS))))]
    return reader(path, display)
