"""Question files in YAML: the bank's own format (see question_bank/README.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from quizapp.bank.problems import Problem, msg
from quizapp.bank.taxonomy import TaxonomySpec
from quizapp.bank.validate import DEFAULTABLE_FIELDS, QuestionSpec, RawQuestion
from quizapp.bank.yamlsource import LocatedDict, LocatedList, YamlSyntaxError, load_located

FIELD_ORDER = ("type", "stem", "options", "answer", "key_points", "steps", "explanation", "basis",
               "roles", "industries", "topics", "difficulty")


def read(path: Path, display: str) -> tuple[list[RawQuestion], list[Problem]]:
    """Read a question file: ``{defaults: {...}, questions: [...]}`` or a bare list of questions."""
    try:
        document, duplicates = load_located(path)
    except YamlSyntaxError as error:
        return [], [Problem(display, error.line, error.message)]
    problems = [Problem(display, line, msg("key {key!r} appears twice", key=key)) for line, key in duplicates]
    defaults: LocatedDict = LocatedDict()
    if isinstance(document, LocatedDict):
        for key in document:
            if key not in ("defaults", "questions"):
                problems.append(Problem(display, document.line_of(key),
                                        msg("unknown top-level key {key!r}; expected defaults and questions",
                                            key=key)))
        defaults = document.get("defaults") or LocatedDict()
        if not isinstance(defaults, LocatedDict):
            problems.append(Problem(display, document.line_of("defaults"), msg("defaults must be a mapping")))
            defaults = LocatedDict()
        for key in defaults:
            if key not in DEFAULTABLE_FIELDS:
                problems.append(Problem(display, defaults.line_of(key),
                                        msg("{key!r} cannot have a default; allowed: {allowed}",
                                            key=key, allowed=", ".join(sorted(DEFAULTABLE_FIELDS)))))
        items = document.get("questions")
        line = document.line_of("questions")
    else:
        items, line = document, 1
    if not isinstance(items, LocatedList):
        return [], problems + [Problem(display, line, msg("the file needs a list of questions under 'questions'"))]
    raws = []
    for position, item in enumerate(items):
        if not isinstance(item, LocatedDict):
            problems.append(Problem(display, items.line_of(position), msg("each question must be a mapping of fields")))
            continue
        data = {key: value for key, value in defaults.items() if key in DEFAULTABLE_FIELDS}
        lines = {key: defaults.line_of(key) for key in data}
        data.update(item)
        lines.update(item.key_lines)
        raws.append(RawQuestion(display, item.line, data, lines))
    return raws, problems


def question_to_mapping(spec: QuestionSpec) -> dict[str, Any]:
    """The YAML mapping for a question, leaving out fields its type does not use."""
    content = spec.content
    mapping: dict[str, Any] = {"id": spec.code}
    for name in FIELD_ORDER:
        value = content.get(name)
        if value not in (None, [], ""):
            mapping[name] = value
    if spec.status != "active":
        mapping["status"] = spec.status
    return mapping


def _dump(data: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as stream:
        yaml.safe_dump(data, stream, allow_unicode=True, sort_keys=False, width=120)


def write_bank(taxonomy: TaxonomySpec, questions: list[QuestionSpec], folder: Path) -> list[Path]:
    """Write a bank folder: taxonomy.yaml plus one file per source file the questions came from."""
    written = [folder / "taxonomy.yaml"]
    _dump(taxonomy_to_mapping(taxonomy), written[0])
    by_file: dict[str, list[QuestionSpec]] = {}
    for spec in questions:
        name = spec.source_file if spec.source_file and spec.source_file.endswith((".yaml", ".yml")) else None
        by_file.setdefault(name or "questions/exported.yaml", []).append(spec)
    for name, specs in sorted(by_file.items()):
        _dump({"questions": [question_to_mapping(spec) for spec in specs]}, folder / name)
        written.append(folder / name)
    return written


def taxonomy_to_mapping(taxonomy: TaxonomySpec) -> dict[str, list[dict[str, Any]]]:
    """taxonomy.yaml's shape again: topics regain their children lists, empty fields are dropped."""
    result: dict[str, list[dict[str, Any]]] = {}
    for kind, terms in taxonomy.terms.items():
        entries: list[dict[str, Any]] = []
        by_code: dict[str, dict[str, Any]] = {}
        for term in terms:
            entry = {k: v for k, v in term.items() if k not in ("position", "parent") and v not in ("", None)}
            by_code[term["code"]] = entry
            parent = term.get("parent")
            if parent:
                by_code[parent].setdefault("children", []).append(entry)
            else:
                entries.append(entry)
        result[kind] = entries
    return result
