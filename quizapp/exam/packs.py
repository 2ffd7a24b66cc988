"""Inspection packs: what a tablet needs to examine an enterprise's staff where there is no network.

A pack holds, for each chosen enterprise, its roster, the role blueprints in force, papers drawn in advance
for every role on the roster (one per person of the role and a few spare, for people met on the day), and
the drill templates. Papers are drawn by the same engine as on site, avoiding the questions the enterprise
was asked in its last inspections, and are signed with the app's secret: when a result comes back the
server takes the paper from its signature, so a tablet can neither invent a paper nor alter one. A pack
holds no answer key: results are scored by the server when they arrive (quizapp.exam.offline).
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import asdict
from datetime import datetime
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from quizapp.bank.problems import msg
from quizapp.exam.assemble import ShortageError
from quizapp.exam.attempts import AttemptError, recently_used_at
from quizapp.exam.blueprint import Blueprint, blueprint_for
from quizapp.exam.drill_templates import drills_for_industries
from quizapp.exam.inspections import local_today
from quizapp.exam.papers import items_view
from quizapp.exam.pool import draw_paper
from quizapp.exam.roster import certificate_problem
from quizapp.models import Enterprise, Role, User
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


def _papers(session: Session, secret: str, enterprise: Enterprise, role: str, blueprint: Blueprint, count: int,
            user: User, now: datetime) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """``count`` papers for ``role`` at ``enterprise``, and how many items of which type the bank lacked."""
    used = recently_used_at(session, enterprise.id)
    papers, missing = [], {}
    for _ in range(count):
        seed = secrets.randbits(62)
        try:
            paper = draw_paper(session, role, enterprise.industry_codes, blueprint, seed, recently_used=used)
        except ShortageError as error:  # offline nobody can be asked: take the shorter paper, and say so
            missing = error.missing
            paper = draw_paper(session, role, enterprise.industry_codes, blueprint, seed, recently_used=used,
                               allow_short=True)
        if not paper.items:
            break
        items = paper.stored()
        signed = _signer(secret).dumps({**_stamp(enterprise, user, now), "role": role, "seed": seed, "items": items,
                                        "blueprint": asdict(blueprint)})
        papers.append({"paper": signed, "role": role, "time_limit_minutes": blueprint.time_limit_minutes,
                       "items": items_view(session, items)})
    return papers, missing


def _drills(session: Session, enterprise: Enterprise) -> list[dict[str, Any]]:
    return [{"template": template.code, "version": template.current_version.id,
             "content": template.current_version.content}
            for template in drills_for_industries(session, enterprise.industry_codes)]


def build_pack(session: Session, *, secret: str, enterprises: list[Enterprise], user: User,
               now: datetime | None = None) -> dict[str, Any]:
    """The pack for ``enterprises`` as JSON-ready data (the web layer adds each paper's screens)."""
    if not enterprises:
        raise AttemptError(msg("choose at least one enterprise"))
    if len(enterprises) > MAX_ENTERPRISES:
        raise AttemptError(msg("a pack holds at most 20 enterprises"))
    now = now or utcnow()
    today = local_today(now)
    role_names = dict(session.execute(select(Role.code, Role.name)).all())
    packed = []
    for enterprise in enterprises:
        workers = enterprise.workers
        per_role = Counter(worker.role_code for worker in workers)
        papers, shortages = {}, {}
        blueprints = {role: blueprint_for(session, role) for role in per_role}
        for role, people in sorted(per_role.items()):
            papers[role], missing = _papers(session, secret, enterprise, role, blueprints[role],
                                            min(people + SPARE_PAPERS, MAX_PAPERS_PER_ROLE), user, now)
            if missing:
                shortages[role] = missing
        packed.append({
            "token": enterprise.qr_token, "name": enterprise.name, "county": enterprise.county,
            "workers": [{"token": worker.public_token, "name": worker.name, "role": worker.role_code,
                         "role_name": role_names.get(worker.role_code, worker.role_code), "post": worker.post,
                         "certificate_problem": certificate_problem(worker, today)} for worker in workers],
            "blueprints": {role: asdict(blueprint) for role, blueprint in blueprints.items()},
            "papers": papers, "shortages": shortages, "drills": _drills(session, enterprise),
            "ticket": _signer(secret).dumps(_stamp(enterprise, user, now)),  # signs the drills run offline
        })
    return {"issued_at": now.isoformat(), "user": user.username, "enterprises": packed}
