"""Drill templates (模拟演练): one YAML file each in the bank's ``drills/`` folder.

A drill has a scenario, the industries and roles it is for, its scope and form (AQ/T 9007-2019:
single or comprehensive, practical or tabletop), ordered phases of ordered steps — each with its
actor, a critical flag, a target time and what the evaluator looks for — and a legal basis. The
format is described in question_bank/README.md.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from quizapp.bank.problems import Problem, msg
from quizapp.bank.taxonomy import TaxonomyIndex
from quizapp.bank.validate import QUESTION_ID, QuestionSpec, RawQuestion, check_basis, check_tags
from quizapp.bank.yamlsource import LocatedDict, LocatedList, YamlSyntaxError, load_located

DRILL_FIELDS = frozenset({"id", "title", "scenario", "industries", "roles", "scope", "form", "duration_minutes",
                          "phases", "basis", "status"})
STEP_FIELDS = frozenset({"action", "actor", "critical", "target_seconds", "look_for"})
SCOPES = ("single", "comprehensive")
FORMS = ("practical", "tabletop")
STATUSES = ("active", "retired")


@dataclass(frozen=True)
class DrillSpec:
    """A valid drill template in canonical form."""

    code: str
    status: str
    content: dict[str, Any]
    source_file: str

    @cached_property
    def content_hash(self) -> str:
        """Hashed exactly as a question's content, so both follow one versioning rule on import."""
        return QuestionSpec.content_hash.func(self)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def read_drill(path: Path, display: str, source_file: str, index: TaxonomyIndex,
               expected_code: str | None = None) -> tuple[DrillSpec | None, list[Problem]]:
    """Read and check one drill file; every problem is reported with the line of its node.

    ``expected_code`` is the id the drill must keep: the web editor changes a template, never its identity.
    """
    try:
        document, duplicates = load_located(path)
    except YamlSyntaxError as error:
        return None, [Problem(display, error.line, error.message)]
    problems = [Problem(display, line, msg("key {key!r} appears twice", key=key)) for line, key in duplicates]
    if not isinstance(document, LocatedDict):
        return None, problems + [Problem(display, 1, msg("a drill file is one mapping: id, title, scenario, …"))]

    def report_at(line: int, message: str, field: str | None = None) -> None:
        problems.append(Problem(display, line, message, field))

    def report(field: str, message: str) -> None:
        report_at(document.line_of(field), message, field)

    for key in document:
        if key not in DRILL_FIELDS:
            report(key, msg("unknown field {field!r}", field=key))
    code = _text(document.get("id"))
    if not QUESTION_ID.match(code):
        report("id", msg("the drill needs an id of 1-64 letters, digits, '.', '_' or '-'"))
    elif expected_code is not None and code != expected_code:
        report("id", msg("the id cannot be changed: keep {code!r}", code=expected_code))
    for field in ("title", "scenario"):
        if not _text(document.get(field)):
            report(field, msg("the drill needs a {field}", field=field))
    if document.get("scope") not in SCOPES:
        report("scope", msg("scope must be single or comprehensive, not {value!r}", value=document.get("scope")))
    if document.get("form") not in FORMS:
        report("form", msg("form must be practical or tabletop, not {value!r}", value=document.get("form")))
    if not _positive_int(document.get("duration_minutes")):
        report("duration_minutes", msg("duration_minutes must be a whole number of minutes above 0"))
    status = _text(document.get("status")) or "active"
    if status not in STATUSES:
        report("status", msg("status must be active or retired, not {status!r}", status=status))
    raw = RawQuestion(display, document.line, dict(document), document.key_lines)
    content = {
        "title": _text(document.get("title")),
        "scenario": _text(document.get("scenario")),
        "industries": check_tags(raw, "industries", index, report),
        "roles": check_tags(raw, "roles", index, report),
        "scope": document.get("scope"),
        "form": document.get("form"),
        "duration_minutes": document.get("duration_minutes"),
        "phases": _phases(document, report, report_at),
        "basis": check_basis(raw, index, report, active=status == "active"),
    }
    if problems:
        return None, problems
    return DrillSpec(code, status, content, source_file), problems


def _phases(document: LocatedDict, report, report_at) -> list[dict[str, Any]]:
    phases = document.get("phases")
    if not isinstance(phases, LocatedList) or len(phases) < 2:
        report("phases", msg("a drill needs at least 2 phases, each with a name and steps"))
        return []
    result = []
    for position, phase in enumerate(phases):
        line = phases.line_of(position)
        if not isinstance(phase, LocatedDict):
            report_at(line, msg("phase {number} must be a mapping with name and steps", number=position + 1))
            continue
        for key in phase:
            if key not in ("name", "steps"):
                report_at(phase.line_of(key), msg("unknown field {field!r}", field=key))
        if not _text(phase.get("name")):
            report_at(line, msg("phase {number} needs a name", number=position + 1))
        steps = phase.get("steps")
        if not isinstance(steps, LocatedList) or not steps:
            report_at(phase.line_of("steps"), msg("phase {number} needs at least one step", number=position + 1))
            steps = LocatedList()
        result.append({"name": _text(phase.get("name")),
                       "steps": [_step(step, steps.line_of(i), report_at) for i, step in enumerate(steps)]})
    if result and not any(step["critical"] for phase in result for step in phase["steps"]):
        report("phases", msg("a drill needs at least one critical step"))
    return result


def _step(step: Any, line: int, report_at) -> dict[str, Any]:
    if not isinstance(step, LocatedDict):
        report_at(line, msg("a step must be a mapping: action, actor, critical, target_seconds, look_for"))
        return {}
    for key in step:
        if key not in STEP_FIELDS:
            report_at(step.line_of(key), msg("unknown field {field!r}", field=key))
    for field in ("action", "actor", "look_for"):
        if not _text(step.get(field)):
            report_at(line, msg("the step needs {field}", field=field))
    if not isinstance(step.get("critical"), bool):
        report_at(step.line_of("critical"), msg("critical is true or false"))
    if not _positive_int(step.get("target_seconds")):
        report_at(step.line_of("target_seconds"), msg("target_seconds must be a whole number of seconds above 0"))
    return {"action": _text(step.get("action")), "actor": _text(step.get("actor")),
            "critical": step.get("critical") is True, "target_seconds": step.get("target_seconds"),
            "look_for": _text(step.get("look_for"))}


def read_drill_text(text: str, source_file: str, index: TaxonomyIndex,
                    expected_code: str) -> tuple[DrillSpec | None, list[Problem]]:
    """Check a drill edited as text in the web editor exactly as a file in the bank is checked."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "drill.yaml"
        path.write_text(text, encoding="utf-8")
        return read_drill(path, source_file, source_file, index, expected_code)


class _DrillDumper(yaml.SafeDumper):
    """Writes a drill the way the bank's files are written by hand (see question_bank/drills/)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True  # a repeated value is written out again, never as an anchor and alias

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # lists indented under their key


class _OneLine(dict):
    """A mapping written on one line, as citations are: {source: work-safety-law, article: '81'}."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


def _represent_list(dumper: yaml.SafeDumper, value: list) -> yaml.SequenceNode:
    codes = all(isinstance(item, str) for item in value)  # industries and roles: [general]
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=codes)


def _represent_one_line(dumper: yaml.SafeDumper, value: _OneLine) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True)


_DrillDumper.add_representer(str, _represent_text)
_DrillDumper.add_representer(list, _represent_list)
_DrillDumper.add_representer(_OneLine, _represent_one_line)


def drill_yaml(code: str, status: str, content: dict[str, Any]) -> str:
    """A stored drill as the text of its file, for the web editor; reading it back gives the same content."""
    document = {"id": code, **content, "basis": [_OneLine(citation) for citation in content["basis"]]}
    if status != "active":
        document["status"] = status
    return yaml.dump(document, Dumper=_DrillDumper, allow_unicode=True, sort_keys=False, width=1_000_000)
