"""taxonomy.yaml: reading, checking, the lookup index used by validation, and import."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizapp.bank.problems import Problem, msg
from quizapp.bank.yamlsource import LocatedDict, LocatedList, YamlSyntaxError, load_located
from quizapp.models.taxonomy import TAXONOMY_MODELS, LegalSource

CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
SOURCE_KINDS = ("law", "regulation", "rule", "standard", "normative")
NUMBERED_KINDS = ("law", "regulation", "rule")
TAG_KINDS = ("roles", "industries", "topics")
EXTRA_FIELDS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "roles": {"description": str},
    "industries": {"description": str},
    "topics": {"children": list},
    "special_operations": {"number": int},
    "sources": {"kind": str, "short_name": str, "edition": str, "issuer": str, "articles": int,
                "superseded_by": str},
}
REQUIRED_EXTRAS = {"special_operations": ("number",), "sources": ("kind",)}


@dataclass
class TaxonomySpec:
    """The taxonomy as read from a file: for each kind, a list of term dicts in file order."""

    terms: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {kind: [] for kind in TAXONOMY_MODELS})


@dataclass
class SourceInfo:
    code: str
    kind: str
    articles: int | None
    short_name: str
    full_name: str
    superseded_by: str | None = None


@dataclass
class TaxonomyIndex:
    """What question validation needs to know: codes, and names that may stand for codes."""

    codes: dict[str, dict[str, int]]  # kind -> code -> position in the taxonomy
    names: dict[str, dict[str, str]]
    sources: dict[str, SourceInfo]
    source_names: dict[str, str]

    @classmethod
    def from_spec(cls, spec: TaxonomySpec) -> TaxonomyIndex:
        return cls._build(
            {kind: [(t["code"], t["name"]) for t in terms] for kind, terms in spec.terms.items()},
            [SourceInfo(t["code"], t.get("kind", ""), t.get("articles"), t.get("short_name", ""), t["name"],
                        t.get("superseded_by")) for t in spec.terms["sources"]],
        )

    @classmethod
    def from_db(cls, session: Session) -> TaxonomyIndex:
        pairs = {
            kind: list(session.execute(select(model.code, model.name).order_by(model.position)))
            for kind, model in TAXONOMY_MODELS.items()
        }
        sources = [
            SourceInfo(s.code, s.kind, s.articles, s.short_name, s.name, s.superseded_by)
            for s in session.scalars(select(LegalSource))
        ]
        return cls._build(pairs, sources)

    @classmethod
    def _build(cls, pairs: dict[str, list[tuple[str, str]]], sources: list[SourceInfo]) -> TaxonomyIndex:
        source_names: dict[str, str] = {}
        for source in sources:
            for alias in (source.short_name, source.full_name):
                if alias:
                    source_names[alias] = source.code
                    source_names[f"《{alias}》"] = source.code
        return cls(
            codes={kind: {code: position for position, (code, _) in enumerate(items)}
                   for kind, items in pairs.items()},
            names={kind: {name: code for code, name in items} for kind, items in pairs.items()},
            sources={source.code: source for source in sources},
            source_names=source_names,
        )

    @property
    def empty(self) -> bool:
        return not any(self.codes.values())

    def resolve(self, kind: str, value: str) -> str | None:
        """The code that ``value`` (a code or a Chinese name) stands for, or None."""
        if value in self.codes[kind]:
            return value
        return self.names[kind].get(value)

    def resolve_source(self, value: str) -> str | None:
        if value in self.sources:
            return value
        return self.source_names.get(value)


def read_taxonomy(path: Path, display: str) -> tuple[TaxonomySpec, list[Problem]]:
    """Read and check ``taxonomy.yaml``; every problem is reported, not just the first."""
    problems: list[Problem] = []
    spec = TaxonomySpec()
    try:
        document, duplicates = load_located(path)
    except YamlSyntaxError as error:
        return spec, [Problem(display, error.line, error.message)]
    problems += [Problem(display, line, msg("key {key!r} appears twice", key=key)) for line, key in duplicates]
    if not isinstance(document, LocatedDict):
        return spec, problems + [Problem(display, 1, msg("taxonomy.yaml must be a mapping of term lists"))]
    for key in document:
        if key not in TAXONOMY_MODELS:
            problems.append(Problem(display, document.line_of(key),
                                    msg("unknown taxonomy section {key!r}; expected {sections}",
                                        key=key, sections=", ".join(TAXONOMY_MODELS))))
    seen: dict[str, dict[str, int]] = {kind: {} for kind in TAXONOMY_MODELS}
    for kind in TAXONOMY_MODELS:
        items = document.get(kind)
        if items is None:
            problems.append(Problem(display, document.line, msg("the section {section!r} is missing", section=kind)))
            continue
        if not isinstance(items, LocatedList):
            problems.append(Problem(display, document.line_of(kind), msg("{section} must be a list", section=kind)))
            continue
        for index, item in enumerate(items):
            _read_term(kind, item, items.line_of(index), None, display, spec, seen[kind], problems)
    for term in spec.terms["sources"]:
        if term.get("superseded_by") and term["superseded_by"] not in seen["sources"]:
            problems.append(Problem(display, seen["sources"][term["code"]],
                                    msg("{code!r} is superseded by an unknown source {other!r}",
                                        code=term["code"], other=term["superseded_by"])))
    return spec, problems


def _read_term(kind, item, line, parent, display, spec, seen, problems) -> None:
    if not isinstance(item, LocatedDict):
        problems.append(Problem(display, line, msg("each entry of {section} must be a mapping with code and name",
                                                    section=kind)))
        return
    code, name = item.get("code"), item.get("name")
    if not isinstance(code, str) or not CODE.match(code):
        problems.append(Problem(display, item.line_of("code"),
                                msg("code {code!r} must be lower-case letters, digits and '-' (at most 64)",
                                    code=code)))
        return
    if code in seen:
        problems.append(Problem(display, item.line_of("code"),
                                msg("duplicate {section} code {code!r} (first at line {first})",
                                    section=kind, code=code, first=seen[code])))
        return
    seen[code] = item.line_of("code")
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem(display, item.line_of("name"),
                                msg("{section} {code!r} needs a name", section=kind, code=code)))
    allowed = {"code", "name", "name_en", *EXTRA_FIELDS[kind]}
    for key in item:
        if key not in allowed:
            problems.append(Problem(display, item.line_of(key), msg("unknown field {key!r} in {section} {code!r}",
                                                                       key=key, section=kind, code=code)))
        elif key in EXTRA_FIELDS[kind] and not isinstance(item[key], EXTRA_FIELDS[kind][key]):
            problems.append(Problem(display, item.line_of(key),
                                    msg("{key} of {code!r} has the wrong type", key=key, code=code)))
    for key in REQUIRED_EXTRAS.get(kind, ()):
        if key not in item:
            problems.append(Problem(display, item.line,
                                    msg("{section} {code!r} needs {key}", section=kind, code=code, key=key)))
    if kind == "sources" and item.get("kind") not in SOURCE_KINDS:
        problems.append(Problem(display, item.line_of("kind"),
                                msg("source kind must be one of {kinds}", kinds=", ".join(SOURCE_KINDS))))
    term = {key: value for key, value in item.items() if key != "children"}
    term["name"] = str(name or "").strip()
    term["name_en"] = str(item.get("name_en") or "")
    term["position"] = len(spec.terms[kind])
    if kind == "topics":
        term["parent"] = parent
    spec.terms[kind].append(term)
    children = item.get("children")
    if isinstance(children, LocatedList):
        if parent is not None:
            problems.append(Problem(display, item.line_of("children"), msg("topics nest one level deep only")))
            return
        for index, child in enumerate(children):
            _read_term(kind, child, children.line_of(index), code, display, spec, seen, problems)


def import_taxonomy(session: Session, spec: TaxonomySpec) -> int:
    """Insert new terms and update changed ones; terms are never deleted (questions cite them).

    Returns how many terms were added or changed.
    """
    changed = 0
    for kind, model in TAXONOMY_MODELS.items():
        existing = {term.code: term for term in session.scalars(select(model))}
        for term in spec.terms[kind]:
            values = {key: value for key, value in term.items() if key != "parent"}
            row = existing.get(term["code"])
            if row is None:
                row = model(**values)
                session.add(row)
                existing[term["code"]] = row
                changed += 1
            elif any(getattr(row, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(row, key, value)
                changed += 1
            if kind == "topics":
                parent = existing.get(term["parent"]) if term["parent"] else None
                if row.parent is not parent:
                    row.parent = parent
        session.flush()
    return changed

