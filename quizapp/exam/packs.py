"""Inspection packs: what a tablet needs to examine an enterprise's staff where there is no network.

A pack holds, for each chosen enterprise, its roster, the role blueprints in force, papers drawn in advance
for every role (one for each person on the roster, without the questions they were asked in the past year as
on site, and a few spare, for people met on the day, whom the inspector adds on the tablet), and the drill
templates. Papers are drawn by the same engine as on site, avoiding the questions the enterprise was asked in
its last inspections, and are signed with the app's secret: when a result comes back the server takes the paper
from its signature, so a tablet can neither invent a paper nor alter one. A pack holds no answer key: results
are scored by the server when they arrive (quizapp.exam.offline).
"""

from __future__ import annotations

import secrets
from dataclasses import asdict
from datetime import datetime
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from quizapp.bank.problems import msg
from quizapp.exam.assemble import ShortageError
from quizapp.exam.attempts import AttemptError, answered_by, recently_used_at
from quizapp.exam.blueprint import Blueprint, blueprint_for
from quizapp.exam.drill_templates import drills_for_industries
from quizapp.exam.inspections import local_today
from quizapp.exam.papers import items_view
from quizapp.exam.pool import draw_paper
from quizapp.exam.roster import certificate_problem
from quizapp.models import Enterprise, Role, User, Worker
from quizapp.models.base import utcnow

MAX_ENTERPRISES = 20
"""A day's visits, with room to spare; a pack is drawn while the inspector waits."""
SPARE_PAPERS = 2
"""Papers per role beyond the people on the roster: for staff met on the day, or a paper spoilt."""
MAX_PAPERS_PER_ROLE = 30
SIGNING_SALT = "quizapp-inspection-pack"


def _signer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=SIGNING_SALT)


def read_signed(secret: str, signed: Any) -> dict[str, Any]:
    """A pack paper's or ticket's content from its signature; anything else is refused."""
    try:
        content = _signer(secret).loads(str(signed))
    except BadSignature as error:
        raise AttemptError(msg("this record does not come from a pack issued by this server")) from error
    if not isinstance(content, dict):
        raise AttemptError(msg("this record does not come from a pack issued by this server"))
    return content


def _stamp(enterprise: Enterprise, user: User, now: datetime) -> dict[str, Any]:
    """Who the pack was issued to, for which enterprise and when: signed into every paper and ticket."""
    return {"enterprise": enterprise.id, "user": user.id, "issued_at": now.isoformat()}


def _papers(session: Session, secret: str, enterprise: Enterprise, role: str, blueprint: Blueprint,
            people: list[Worker], used: set[int], user: User,
            now: datetime) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Papers for ``role`` at ``enterprise``: one for each of ``people``, named for them and without the questions
    they were asked in the past year, then the spares, all avoiding where they can the questions ``used`` at the
    enterprise lately; and how many items of which type the bank lacked."""
    papers, missing = [], {}
    for holder in [*people[:MAX_PAPERS_PER_ROLE - SPARE_PAPERS], *[None] * SPARE_PAPERS]:
        seed = secrets.randbits(62)
        answered = answered_by(session, holder, now) if holder else set()
        try:
            paper = draw_paper(session, role, enterprise.industry_codes, blueprint, seed, answered=answered,
                               recently_used=used)
        except ShortageError as error:  # offline nobody can be asked: take the shorter paper, and say so
            missing = error.missing
            paper = draw_paper(session, role, enterprise.industry_codes, blueprint, seed, answered=answered,
                               recently_used=used, allow_short=True)
        if not paper.items:
            continue
        items = paper.stored()
        signed = _signer(secret).dumps({**_stamp(enterprise, user, now), "role": role, "seed": seed, "items": items,
                                        "blueprint": asdict(blueprint)})
        papers.append({"paper": signed, "role": role, "for": holder and holder.public_token,
                       "time_limit_minutes": blueprint.time_limit_minutes, "items": items_view(session, items)})
    return papers, missing


def _drills(session: Session, enterprise: Enterprise) -> list[dict[str, Any]]:
    return [{"template": template.code, "version": template.current_version.id,
             "content": template.current_version.content}
            for template in drills_for_industries(session, enterprise.industry_codes)]


def build_pack(session: Session, *, secret: str, enterprises: list[Enterprise], user: User,
               now: datetime | None = None, locale: str = "zh_Hans_CN") -> dict[str, Any]:
    """The pack for ``enterprises`` as JSON-ready data (the web layer adds each paper's screens).

    Every role gets papers, those nobody on the roster holds only the spares: staff met on the day are added on
    the tablet. A role the bank has no paper for at this enterprise is left out, and named as a shortage only
    when somebody on the roster holds it. Role names are in ``locale``.
    """
    if not enterprises:
        raise AttemptError(msg("choose at least one enterprise"))
    if len(enterprises) > MAX_ENTERPRISES:
        raise AttemptError(msg("a pack holds at most 20 enterprises"))
    now = now or utcnow()
    today = local_today(now)
    roles = session.scalars(select(Role).order_by(Role.position)).all()
    role_names = {role.code: role.name_in(locale) for role in roles}
    blueprints = {role.code: blueprint_for(session, role.code) for role in roles}
    packed = []
    for enterprise in enterprises:
        workers = enterprise.workers
        papers, shortages = {}, {}
        used = recently_used_at(session, enterprise.id)
        for role in role_names:
            people = [worker for worker in workers if worker.role_code == role]
            drawn, missing = _papers(session, secret, enterprise, role, blueprints[role], people, used, user, now)
            if drawn:
                papers[role] = drawn
            if missing and (drawn or people):
                shortages[role] = missing
        packed.append({
            "token": enterprise.qr_token, "name": enterprise.name, "county": enterprise.county,
            "workers": [{"token": worker.public_token, "name": worker.name, "role": worker.role_code,
                         "role_name": role_names.get(worker.role_code, worker.role_code), "post": worker.post,
                         "certificate_problem": certificate_problem(worker, today)} for worker in workers],
            "roles": [{"code": role, "name": name} for role, name in role_names.items() if role in papers],
            "blueprints": {role: asdict(blueprints[role]) for role in papers},
            "papers": papers, "shortages": shortages, "drills": _drills(session, enterprise),
            "ticket": _signer(secret).dumps(_stamp(enterprise, user, now)),  # signs the drills run offline
        })
    return {"issued_at": now.isoformat(), "user": user.username, "enterprises": packed}
