"""Starting and submitting attempts. Every request carries a client-made UUID: repeating it changes
nothing, and the same UUID with different content is a conflict. Functions flush; the caller commits."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import insert, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload

from quizapp.bank.problems import msg
from quizapp.bank.types import LETTERS
from quizapp.exam.blueprint import Blueprint
from quizapp.exam.inspections import local_today
from quizapp.exam.once import insert_or_stored
from quizapp.exam.pool import draw_paper
from quizapp.exam.scoring import ScoringError, score_item, score_paper
from quizapp.models import Attempt, AttemptItem, Finding, Inspection, QuestionVersion, TopicTally, User, Worker
from quizapp.models.audit import audit_reason
from quizapp.models.base import utcnow
from quizapp.models.question import version_topics

FAILED_EXAM_BASIS = [{"source": "work-safety-law", "article": "28"},
                     {"source": "work-safety-law", "article": "97(三)"}]
ANSWERED_WINDOW_DAYS = 365
RECENT_INSPECTIONS = 3
INSPECTOR_MARKED_TYPES = ("oral", "practical")
"""Items the worker cannot answer by tapping: they answer aloud or show the steps, and the inspector marks."""


class AttemptError(Exception):
    """A request the attempt's or inspection's state does not allow (the view answers 4xx)."""


class AttemptConflict(AttemptError):
    """The same client UUID came with different content (HTTP 409)."""


def answered_by(session: Session, worker: Worker, now: datetime) -> set[int]:
    """The questions ``worker`` was asked in the past year: a new paper does not ask them again."""
    since = now - timedelta(days=ANSWERED_WINDOW_DAYS)
    items = session.scalars(select(Attempt.items).where(Attempt.worker_id == worker.id, Attempt.started_at >= since))
    return {item["question_id"] for paper in items for item in paper}


def recently_used_at(session: Session, enterprise_id: int, besides: Inspection | None = None) -> set[int]:
    """The questions asked at the enterprise in its last few inspections (other than ``besides``)."""
    recent = select(Inspection.id).where(Inspection.enterprise_id == enterprise_id)
    if besides is not None:
        recent = recent.where(Inspection.id != besides.id)
    recent = recent.order_by(Inspection.opened_at.desc()).limit(RECENT_INSPECTIONS)
    items = session.scalars(select(Attempt.items).where(Attempt.inspection_id.in_(recent)))
    return {item["question_id"] for paper in items for item in paper}


def start_attempt(session: Session, *, client_id: str, inspection: Inspection, worker: Worker, examiner: User,
                  blueprint: Blueprint, seed: int | None = None, mode: str = "tablet", allow_short: bool = False,
                  items: list[dict[str, Any]] | None = None, now: datetime | None = None) -> Attempt:
    """Draw a paper for ``worker``; the same ``client_id`` again, even at the same moment, returns the same attempt.

    ``items`` (with its ``seed``) is a paper drawn before, for an inspection pack: it is used as it is.
    """
    existing = _started(session, client_id, inspection, worker)
    if existing is not None:
        return existing
    if inspection.status != "open":
        raise AttemptError(msg("the inspection is closed"))
    if worker.enterprise_id != inspection.enterprise_id:
        raise AttemptError(msg("the worker does not belong to the inspected enterprise"))
    if worker.erased_at is not None:  # a stale link (an offline tablet's roster) to a person since erased
        raise AttemptError(msg("this person has already been erased"))
    now = now or utcnow()
    seed = secrets.randbits(62) if seed is None else seed
    if items is None:
        items = draw_paper(session, worker.role_code, inspection.enterprise.industry_codes, blueprint, seed,
                           answered=answered_by(session, worker, now),
                           recently_used=recently_used_at(session, inspection.enterprise_id, besides=inspection),
                           allow_short=allow_short).stored()
    attempt = Attempt(client_id=client_id, inspection=inspection, worker=worker, examiner_id=examiner.id, mode=mode,
                      blueprint=asdict(blueprint), seed=seed, started_at=now, items=items)
    return insert_or_stored(session, attempt, lambda: _started(session, client_id, inspection, worker))


def _started(session: Session, client_id: str, inspection: Inspection, worker: Worker) -> Attempt | None:
    """The attempt already started with ``client_id``, if it is for the same inspection and worker."""
    existing = session.scalar(select(Attempt).where(Attempt.client_id == client_id))
    if existing is not None and (existing.inspection_id, existing.worker_id) != (inspection.id, worker.id):
        raise AttemptConflict(msg("this request id was already used for another paper"))
    return existing


def worker_part(attempt: Attempt) -> list[int]:
    """The items a worker answers on the tablet: the objective ones of a first tablet attempt.

    In an oral or paper attempt, and in a correction, the inspector enters every item.
    """
    if attempt.mode != "tablet" or attempt.corrects_id:
        return []
    return objective_positions(attempt.items)


def objective_positions(items: list[dict[str, Any]]) -> list[int]:
    """The positions of a paper's items that a worker answers by tapping."""
    return [index for index, item in enumerate(items) if item["type"] not in INSPECTOR_MARKED_TYPES]


def inspector_part(attempt: Attempt) -> list[int]:
    own = set(worker_part(attempt))
    return [index for index in range(len(attempt.items)) if index not in own]


def scoring_contents(session: Session, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What scoring needs of each stored item's version, in one query (no tags, no citations)."""
    columns = ("type", "options", "answer", "key_points", "steps")
    rows = session.execute(select(QuestionVersion.id, *(getattr(QuestionVersion, name) for name in columns))
                           .where(QuestionVersion.id.in_([item["version_id"] for item in items])))
    found = {row[0]: dict(zip(columns, row[1:], strict=True)) for row in rows}
    return [found[item["version_id"]] for item in items]


def lock(session: Session, attempt: Attempt) -> None:
    """Re-read the attempt under a row lock (PostgreSQL): of two copies of one submission arriving together, the
    second waits for the first to commit and then sees the attempt final, instead of scoring it a second time.

    An attempt not stored yet (a paper sheet entered just now) belongs to this request alone.
    """
    if inspect(attempt).persistent:  # one query: the attempt, its inspection and worker, which scoring reads next
        session.scalars(select(Attempt).where(Attempt.id == attempt.id)
                        .options(joinedload(Attempt.inspection, innerjoin=True),
                                 joinedload(Attempt.worker, innerjoin=True))
                        .with_for_update(of=Attempt).execution_options(populate_existing=True)).one()


def submit_answers(session: Session, attempt: Attempt, *, submission_id: str, answers: dict[int, Any],
                   part: list[int], reexam_days: int = 30, now: datetime | None = None) -> Attempt:
    """Score the paper from the answers for ``part`` (the items just entered) and any the worker handed back."""
    if set(answers) - set(part):
        raise ScoringError("answers were given for items outside this part of the paper")
    responses = list(attempt.responses or [None] * len(attempt.items))
    for index, answer in answers.items():
        responses[index] = answer
    return submit_attempt(session, attempt, submission_id=submission_id, responses=responses,
                          reexam_days=reexam_days, now=now)


def hand_back(session: Session, attempt: Attempt, answers: dict[int, Any]) -> None:
    """Keep the worker's answers until the inspector has marked the rest; the worker cannot change them.

    The same answers again (a retried request) change nothing; other answers are a conflict.
    """
    lock(session, attempt)
    if attempt.status == "final":
        raise AttemptError(msg("this attempt is already final"))
    part = worker_part(attempt)
    if set(answers) - set(part):
        raise ScoringError("answers were given for items the worker does not answer")
    draft = [answers.get(index) for index in range(len(attempt.items))]
    if attempt.responses is not None:
        if attempt.responses != draft:
            raise AttemptConflict(msg("the worker's answers were already handed back"))
        return
    contents = scoring_contents(session, attempt.items)
    for index in part:
        score_item(contents[index], to_bank_letters(attempt.items[index], draft[index]),
                   attempt.blueprint["multiple_rule"])  # refuses a tampered answer now, not at the end
    attempt.responses = draft
    session.flush()


def correct_attempt(session: Session, attempt: Attempt, *, client_id: str, examiner: User, reason: str,
                    now: datetime | None = None) -> Attempt:
    """A correction of a final result: a new attempt on the same paper that names the old one and why.

    The old result stays as it was; the inspection shows the correction in its place.
    """
    existing = session.scalar(select(Attempt).where(Attempt.client_id == client_id))
    if existing is not None:
        if existing.corrects_id != attempt.id:
            raise AttemptConflict(msg("this request id was already used for another paper"))
        return existing
    if attempt.status != "final":
        raise AttemptError(msg("only a final result can be corrected"))
    if attempt.inspection.status != "open":
        raise AttemptError(msg("the inspection is closed"))
    if not reason.strip():
        raise AttemptError(msg("a correction needs a reason"))
    if session.scalar(select(Attempt.id).where(Attempt.corrects_id == attempt.id)):
        raise AttemptError(msg("this result was already corrected; correct the latest record"))
    correction = Attempt(client_id=client_id, inspection_id=attempt.inspection_id, worker_id=attempt.worker_id,
                         examiner_id=examiner.id, mode=attempt.mode, blueprint=attempt.blueprint, seed=attempt.seed,
                         items=attempt.items, started_at=now or utcnow(), corrects_id=attempt.id,
                         correction_reason=reason.strip())
    with audit_reason(session, correction.correction_reason):
        session.add(correction)
    return correction


def payload_hash(responses: list[Any]) -> str:
    """What identifies a submission's content: a retry with the same id must carry the same hash."""
    return hashlib.sha256(json.dumps(responses, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def to_bank_letters(item: dict[str, Any], response: Any) -> Any:
    """Letters as shown (options shuffled) back to the bank's letters, which scoring uses."""
    order = item["option_order"]
    if not order or response is None:
        return response

    def bank_letter(shown: Any) -> str:
        if not isinstance(shown, str) or shown not in LETTERS[:len(order)] or len(shown) != 1:
            raise ScoringError(f"{shown!r} is not an option letter of this item")
        return LETTERS[order[LETTERS.index(shown)]]

    return [bank_letter(letter) for letter in response] if isinstance(response, list) else bank_letter(response)


@cache
def _tally_upsert(dialect: str):
    """The statement that adds one row of figures to the topic tallies, built once per dialect and then executed
    with many rows at a time (a statement with every row in its VALUES would be compiled again for each submit)."""
    upsert = {"postgresql": postgresql, "sqlite": sqlite}[dialect].insert(TopicTally)
    return upsert.on_conflict_do_update(
        index_elements=["enterprise_id", "role_code", "topic_id", "month"],
        set_={"answers": TopicTally.answers + upsert.excluded.answers,
              "points": TopicTally.points + upsert.excluded.points})


def _count_in_tallies(session: Session, items: Sequence[Mapping[str, Any]], sign: int) -> None:
    """Add ``items`` (attempt items' columns) to the topic tallies (``sign`` -1 takes them away), each under every
    topic of its version.

    An upsert that adds to the stored figures in the database, so that concurrent submits cannot lose counts.
    """
    topics: dict[int, list[int]] = defaultdict(list)
    for version_id, topic_id in session.execute(
            select(version_topics.c.version_id, version_topics.c.topic_id)
            .where(version_topics.c.version_id.in_({item["version_id"] for item in items}))):
        topics[version_id].append(topic_id)
    sums: dict[tuple, list[float]] = defaultdict(lambda: [0, 0.0])
    for item in items:
        for topic_id in topics[item["version_id"]]:
            figures = sums[item["enterprise_id"], item["role_code"], topic_id, item["answered_on"].replace(day=1)]
            figures[0] += sign
            figures[1] += sign * item["fraction"]
    if sums:  # in key order, so that concurrent submits lock the rows in the same order
        session.execute(_tally_upsert(session.get_bind().dialect.name), [
            {"enterprise_id": enterprise_id, "role_code": role, "topic_id": topic_id, "month": month,
             "answers": answers, "points": points}
            for (enterprise_id, role, topic_id, month), (answers, points) in sorted(sums.items())])


def submit_attempt(session: Session, attempt: Attempt, *, submission_id: str, responses: list[Any],
                   reexam_days: int = 30, now: datetime | None = None) -> Attempt:
    """Score and finalise an attempt; a failed exam becomes a finding with a re-exam due date.

    Submitting the same ``submission_id`` with the same responses again returns the stored result.
    """
    digest = payload_hash(responses)
    lock(session, attempt)
    if attempt.status == "final":
        if attempt.submission_id == submission_id and attempt.submission_hash == digest:
            return attempt
        raise AttemptConflict(msg("this attempt was already submitted with other answers"))
    if session.scalar(select(Attempt.id).where(Attempt.submission_id == submission_id)):
        raise AttemptConflict(msg("this request id was already used for another paper"))
    if attempt.inspection.status != "open":
        raise AttemptError(msg("the inspection is closed"))
    if not isinstance(responses, list) or len(responses) != len(attempt.items):
        raise ScoringError(f"the paper has {len(attempt.items)} items")
    contents = scoring_contents(session, attempt.items)
    bank_responses = [to_bank_letters(item, response) for item, response in zip(attempt.items, responses, strict=True)]
    result = score_paper(contents, bank_responses, attempt.blueprint["pass_mark"], attempt.blueprint["multiple_rule"])
    now = now or utcnow()
    # The statistics rows first, the attempt and its finding last: their flush takes the audit chain's lock
    # (quizapp.models.audit), which then waits only for the commit, not for these writes.
    answered = {"attempt_id": attempt.id, "enterprise_id": attempt.inspection.enterprise_id,
                "worker_id": attempt.worker_id, "role_code": attempt.worker.role_code,
                "answered_on": attempt.inspection.local_date}
    items = [{**answered, "position": position, "question_id": item["question_id"], "version_id": item["version_id"],
              "type": item["type"], "fraction": scored.fraction}
             for position, (item, scored) in enumerate(zip(attempt.items, result.items, strict=True))]
    session.execute(insert(AttemptItem), items)  # rows for statistics: one statement, no objects to track
    _count_in_tallies(session, items, 1)
    if attempt.corrects_id:  # the result it replaces no longer counts
        _count_in_tallies(session, session.execute(
            select(AttemptItem.__table__).where(AttemptItem.attempt_id == attempt.corrects_id)).mappings().all(), -1)
    attempt.responses = responses
    attempt.submission_id, attempt.submission_hash = submission_id, digest
    attempt.item_scores = [item.fraction for item in result.items]
    attempt.score, attempt.passed = result.score, result.passed
    attempt.submitted_at, attempt.status = now, "final"
    if not result.passed:
        session.add(Finding(inspection_id=attempt.inspection_id, worker_id=attempt.worker_id, attempt=attempt,
                            kind="failed_exam", basis=FAILED_EXAM_BASIS,
                            due_on=local_today(now) + timedelta(days=reexam_days)))
    session.flush()
    return attempt
