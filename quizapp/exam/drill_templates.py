"""Drill templates in the database: choosing them for an enterprise, and saving an admin's edit."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from quizapp.bank.drills import DrillSpec
from quizapp.bank.edit import save_edit
from quizapp.bank.importer import write_drill_versions
from quizapp.exam.blueprint import GENERAL_INDUSTRY
from quizapp.models import DrillTemplate


def drills_for_industries(session: Session, industry_codes: Iterable[str]) -> list[DrillTemplate]:
    """The active templates for these industries or for all industries (``general``), ordered by title.

    Filtered here rather than in SQL: the industries live in the version's JSON content, and a bank
    holds tens of templates, not thousands.
    """
    wanted = {*industry_codes, GENERAL_INDUSTRY}
    templates = session.scalars(
        select(DrillTemplate).where(DrillTemplate.status == "active")
        .options(selectinload(DrillTemplate.current_version))
    ).all()
    return sorted((t for t in templates if wanted.intersection(t.current_version.content["industries"])),
                  key=lambda t: (t.current_version.content["title"], t.code))


def save_drill_edit(session: Session, template: DrillTemplate, spec: DrillSpec, created_by_id: int | None) -> bool:
    """An admin's edit: a new version when the content changed (see ``quizapp.bank.edit.save_edit``)."""
    return save_edit(session, template, spec,
                     lambda number: write_drill_versions(session, [(template.id, number, spec)], created_by_id))
