"""Versioned import of a checked bank into the database, in the caller's transaction.

Questions and drill templates follow one rule: re-importing unchanged files writes nothing; an item
whose file content changed gets a new version; an item gone from its files is retired, never deleted.
Writes are bulk statements, so a 10,000-question bank imports in seconds; the flush does not see them, so each
row written is recorded in the audit trail here (a version's tags and citations in its own entry).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from quizapp.bank.drills import DrillSpec
from quizapp.bank.problems import BankError
from quizapp.bank.taxonomy import import_taxonomy
from quizapp.bank.validate import Bank, QuestionSpec
from quizapp.models import (
    DrillTemplate,
    DrillTemplateVersion,
    Industry,
    LegalSource,
    Question,
    QuestionBasis,
    QuestionVersion,
    Role,
    Topic,
)
from quizapp.models.audit import audit_reason, inserted, record, updated
from quizapp.models.base import utcnow
from quizapp.models.question import version_industries, version_roles, version_topics

CHUNK = 1000
TAG_TABLES = (("roles", version_roles, "role_id"), ("industries", version_industries, "industry_id"),
              ("topics", version_topics, "topic_id"))


@dataclass
class ImportSummary:
    added: int = 0
    changed: int = 0
    retired: int = 0
    unchanged: int = 0
    taxonomy_changed: int = 0
    drills_added: int = 0
    drills_changed: int = 0
    drills_retired: int = 0

    def __str__(self) -> str:
        return (f"added {self.added}, changed {self.changed}, retired {self.retired}, "
                f"unchanged {self.unchanged}; drills added {self.drills_added}, changed {self.drills_changed}, "
                f"retired {self.drills_retired}; taxonomy terms added or changed {self.taxonomy_changed}")


Spec = QuestionSpec | DrillSpec
VersionedModel = type[Question] | type[DrillTemplate]
VersionModel = type[QuestionVersion] | type[DrillTemplateVersion]


@dataclass
class _Existing:
    id: int
    status: str
    current_number: int
    file_hash: str | None
    source_file: str | None
    updated_at: datetime
    current_hash: str


@dataclass
class _Outcome:
    """What importing an item over its stored namesake writes."""

    row: dict[str, Any] | None  # the update of the stored row; None when nothing about it changed
    new_number: int | None  # the number of the version to write, when the content is new
    changed: bool  # content or status changed (otherwise the item counts as unchanged)


def _reconcile(known: _Existing, spec: Spec) -> _Outcome:
    """Only a changed file content makes a new version, and only one that differs from the current version:
    an edit made on the web survives the re-import of an unchanged file, and the file wins once it changes."""
    row: dict[str, Any] = {"id": known.id, "file_hash": spec.content_hash, "status": spec.status,
                           "source_file": spec.source_file}
    file_changed = known.file_hash != spec.content_hash
    new_number = None
    if file_changed and known.current_hash != spec.content_hash:
        new_number = row["current_number"] = known.current_number + 1
    changed = file_changed or known.status != spec.status
    if not changed and known.source_file == spec.source_file:
        return _Outcome(None, None, False)
    row["updated_at"] = utcnow()
    return _Outcome(row, new_number, changed)


class VersionWriter:
    """Bulk-writes new question versions with their tags and citations."""

    def __init__(self, session: Session):
        self.session = session
        self.ids = {
            name: dict(session.execute(select(model.code, model.id)).all())
            for name, model in (("roles", Role), ("industries", Industry), ("topics", Topic),
                                ("sources", LegalSource))
        }

    def write(self, items: Sequence[tuple[int, int, QuestionSpec]], created_by_id: int | None = None) -> None:
        """Insert one version per ``(question_id, number, spec)``."""
        if not items:
            return
        now = utcnow()
        rows = [
            {
                "question_id": question_id, "number": number, "type": spec.type,
                "stem": spec.content["stem"], "options": spec.content["options"],
                "answer": spec.content["answer"], "key_points": spec.content["key_points"],
                "steps": spec.content["steps"], "explanation": spec.content["explanation"],
                "difficulty": spec.content["difficulty"], "content_hash": spec.content_hash,
                "origin": spec.origin, "created_by_id": created_by_id, "created_at": now,
            }
            for question_id, number, spec in items
        ]
        returned = self.session.execute(
            insert(QuestionVersion).returning(QuestionVersion.id, QuestionVersion.draw_key,
                                              sort_by_parameter_order=True),
            rows,
        ).all()
        version_ids = [row.id for row in returned]
        record(self.session, [
            inserted("question_versions", version.id, {
                **row, "id": version.id, "draw_key": version.draw_key,
                **{name: spec.content[name] for name in ("roles", "industries", "topics", "basis")}})
            for version, row, (_, _, spec) in zip(returned, rows, items, strict=True)])
        for name, table, column in TAG_TABLES:
            tag_rows = [
                {"version_id": version_id, column: self.ids[name][code]}
                for version_id, (_, _, spec) in zip(version_ids, items, strict=True)
                for code in spec.content[name]
            ]
            if tag_rows:
                self.session.execute(insert(table), tag_rows)
        basis_rows = [
            {"version_id": version_id, "position": position,
             "source_id": self.ids["sources"][citation["source"]], "article": citation["article"]}
            for version_id, (_, _, spec) in zip(version_ids, items, strict=True)
            for position, citation in enumerate(spec.content["basis"])
        ]
        if basis_rows:
            self.session.execute(insert(QuestionBasis), basis_rows)


def write_drill_versions(session: Session, items: Sequence[tuple[int, int, DrillSpec]],
                         created_by_id: int | None = None) -> None:
    """Insert one drill template version per ``(template_id, number, spec)``."""
    if items:
        now = utcnow()
        rows = [{"template_id": template_id, "number": number, "content": spec.content,
                 "content_hash": spec.content_hash, "created_by_id": created_by_id, "created_at": now}
                for template_id, number, spec in items]
        ids = session.execute(insert(DrillTemplateVersion).returning(DrillTemplateVersion.id,
                                                                     sort_by_parameter_order=True), rows).scalars()
        record(session, [inserted("drill_template_versions", version_id, {**row, "id": version_id})
                         for version_id, row in zip(ids, rows, strict=True)])


def _existing(session: Session, model: VersionedModel, version: VersionModel) -> dict[str, _Existing]:
    """Every stored item of ``model`` by code, with the content hash of its current version."""
    rows = session.execute(
        select(model.code, model.id, model.status, model.current_number, model.file_hash, model.source_file,
               model.updated_at, version.content_hash)
        .join(model.current_version)
    )
    return {row.code: _Existing(*row[1:]) for row in rows}


def _chunks(specs: list[QuestionSpec]) -> Iterator[list[QuestionSpec]]:
    for start in range(0, len(specs), CHUNK):
        yield specs[start:start + CHUNK]


def import_bank(session: Session, bank: Bank, *, created_by_id: int | None = None,
                progress: Callable[[int], None] | None = None) -> ImportSummary:
    """Import a checked bank. Nothing is committed here: the caller commits once, or rolls back."""
    if bank.problems:
        raise BankError(bank.problems)
    with audit_reason(session, f"bank import {_source(bank)}"):
        return _import_bank(session, bank, created_by_id, progress)


def _source(bank: Bank) -> str:
    """Where the questions came from, for the audit trail: the folder (or the file) they share."""
    try:
        return os.path.commonpath(bank.question_files)
    except ValueError:  # no question files, or relative and absolute paths mixed
        return ""


def _import_bank(session: Session, bank: Bank, created_by_id: int | None,
                 progress: Callable[[int], None] | None) -> ImportSummary:
    summary = ImportSummary()
    if bank.taxonomy is not None:
        summary.taxonomy_changed = import_taxonomy(session, bank.taxonomy)
    write_questions = partial(VersionWriter(session).write, created_by_id=created_by_id)
    existing = _existing(session, Question, QuestionVersion)
    for chunk in _chunks(bank.questions):
        added, changed = _import_items(session, Question, chunk, existing, write_questions)
        summary.added += added
        summary.changed += changed
        summary.unchanged += len(chunk) - added - changed
        if progress:
            progress(len(chunk))
    summary.retired = _retire_missing(session, Question, existing, {spec.code for spec in bank.questions},
                                      set(bank.question_files), bank.is_whole_bank)
    existing_drills = _existing(session, DrillTemplate, DrillTemplateVersion)
    summary.drills_added, summary.drills_changed = _import_items(
        session, DrillTemplate, bank.drills, existing_drills,
        partial(write_drill_versions, session, created_by_id=created_by_id))
    # A drill file holds one drill, so the files imported are those of the drills read.
    summary.drills_retired = _retire_missing(session, DrillTemplate, existing_drills,
                                             {drill.code for drill in bank.drills},
                                             {drill.source_file for drill in bank.drills}, bank.is_whole_bank)
    if summary.added + summary.changed + summary.retired:
        refresh_statistics(session)
    return summary


def _import_items(session: Session, model: VersionedModel, specs: Sequence[Spec], existing: dict[str, _Existing],
                  write_versions: Callable[[list[tuple[int, int, Any]]], None]) -> tuple[int, int]:
    """Add new items with their first version, give changed ones a new version; returns (added, changed)."""
    new_specs: list[Spec] = []
    new_versions: list[tuple[int, int, Any]] = []
    updates: list[tuple[_Existing, dict[str, Any]]] = []
    changed = 0
    for spec in specs:
        known = existing.get(spec.code)
        if known is None:
            new_specs.append(spec)
            continue
        outcome = _reconcile(known, spec)
        changed += outcome.changed
        if outcome.new_number is not None:
            new_versions.append((known.id, outcome.new_number, spec))
        if outcome.row is not None:
            updates.append((known, outcome.row))
    if new_specs:
        rows = [{"code": s.code, "status": s.status, "current_number": 1, "source_file": s.source_file,
                 "file_hash": s.content_hash} for s in new_specs]
        created = session.execute(
            insert(model).returning(model.id, model.created_at, model.updated_at, sort_by_parameter_order=True), rows,
        ).all()
        record(session, [inserted(model.__tablename__, item.id, {**row, **item._asdict()})
                         for item, row in zip(created, rows, strict=True)])
        new_versions += [(item.id, 1, spec) for item, spec in zip(created, new_specs, strict=True)]
    if updates:
        _update_recorded(session, model, updates)
    write_versions(new_versions)
    return len(new_specs), changed


def _update_recorded(session: Session, model: VersionedModel, updates: list[tuple[_Existing, dict[str, Any]]]) -> None:
    """Update stored items by id, recording in the audit trail what each had before."""
    session.execute(update(model), [row for _, row in updates])
    record(session, filter(None, (updated(model.__tablename__, known.id,
                                          {column: getattr(known, column) for column in row},
                                          {column: value for column, value in row.items() if column != "id"})
                                  for known, row in updates)))


DRAWN_TABLES = ("questions", "question_versions", "question_version_roles", "question_version_industries",
                "question_version_topics")


def refresh_statistics(session: Session, tables: Iterable[str] = DRAWN_TABLES) -> None:
    """After a bulk write PostgreSQL's planner still believes the tables are empty until autovacuum
    catches up, and draws a paper by scanning them (230 ms instead of 14 ms at 100,000 questions; the
    city demo's enterprise review 880 ms instead of 73)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {', '.join(tables)}"))


def _retire_missing(session: Session, model: VersionedModel, existing: dict[str, _Existing], present: set[str],
                    files: set[str], is_whole_bank: bool) -> int:
    """Retire file-imported items that the imported files no longer contain.

    A whole bank folder speaks for every file-imported item; a single file only for its own.
    Items created in the web editor have no source file and are left alone.
    """
    gone = [
        known for code, known in existing.items()
        if code not in present and known.status == "active" and known.source_file is not None
        and (is_whole_bank or known.source_file in files)
    ]
    if gone:
        _update_recorded(session, model, [(known, {"id": known.id, "status": "retired", "updated_at": utcnow()})
                                          for known in gone])
    return len(gone)
