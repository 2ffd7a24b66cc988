"""Practice quizzes aimed at an enterprise's weak topics, drawn by the same engine as an inspection's paper.

A practice quiz has the objective items of the worker's role blueprint (the ones a worker can answer and have
scored alone: oral answers and 手指口述 need an inspector), scaled to the length asked for and drawn only from
the chosen topics and their sub-topics. Its result is stored apart from official ones (``PracticeQuiz``) and
is never counted in findings, the review's figures, the dashboard or item statistics. Functions flush; the
caller commits.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import asdict, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizapp.analytics.enterprise import TopicReport
from quizapp.bank.problems import msg
from quizapp.exam.attempts import AttemptConflict, AttemptError, payload_hash, scoring_contents, to_bank_letters
from quizapp.exam.blueprint import Blueprint, blueprint_for
from quizapp.exam.once import insert_or_stored
from quizapp.exam.pool import draw_paper, extended_weights
from quizapp.exam.scoring import ScoringError, score_paper
from quizapp.models import Enterprise, PracticeQuiz, User, Worker
from quizapp.models.base import utcnow

PRACTICE_TYPES = ("single", "multiple", "judge", "fill")
"""The types a worker answers and has scored without an examiner."""
LENGTHS = (5, 10, 20, 30)
WEAK_TOPICS = 3
"""How many of the weakest topics a new practice quiz aims at unless the enterprise picks others."""


def weak_topics(report: TopicReport, role: str | None = None, limit: int = WEAK_TOPICS) -> list[str]:
    """Codes of the top-level topics with the lowest accuracy (``role``'s own where it has answers), weakest
    first, leaving out topics answered without a mistake."""
    def rate(topic) -> float:
        figures = topic.figures.by_role.get(role) if role else None
        return (figures or topic.figures.overall).rate

    return [topic.code for topic in sorted(report.topics, key=rate) if rate(topic) < 1][:limit]


def practice_blueprint(official: Blueprint, topics: list[str], length: int) -> Blueprint:
    """The objective part of ``official``, ``length`` items shared among its types by the largest remainder."""
    counts = {kind: official.items.get(kind, 0) for kind in PRACTICE_TYPES}
    if not any(counts.values()):  # a blueprint without objective items: single and judge alike
        counts = {"single": 1, "judge": 1}
    total = sum(counts.values())
    shares = {kind: length * count / total for kind, count in counts.items()}
    items = {kind: int(share) for kind, share in shares.items()}
    by_remainder = sorted(shares, key=lambda kind: shares[kind] - items[kind], reverse=True)
    for kind in by_remainder[:length - sum(items.values())]:
        items[kind] += 1
    return replace(official, name="练习", items={kind: n for kind, n in items.items() if n},
                   topics=tuple(topics), topic_weights={}, time_limit_minutes=0)


def create_practice(session: Session, *, client_id: str, enterprise: Enterprise, worker: Worker, created_by: User,
                    topics: list[str], length: int, seed: int | None = None,
                    now: datetime | None = None) -> PracticeQuiz:
    """Draw a practice quiz for ``worker`` on ``topics`` (all topics when empty); the same ``client_id`` again
    returns the same quiz. A bank too thin for ``length`` gives a shorter quiz; none at all is refused."""
    existing = _made(session, client_id, worker)
    if existing is not None:
        return existing
    if worker.enterprise_id != enterprise.id:
        raise AttemptError(msg("the worker does not belong to the inspected enterprise"))
    if worker.erased_at is not None:
        raise AttemptError(msg("this person has already been erased"))
    if length not in LENGTHS:
        raise AttemptError(msg("a practice quiz has 5, 10, 20 or 30 questions"))
    blueprint = practice_blueprint(blueprint_for(session, worker.role_code),
                                   sorted(extended_weights(session, dict.fromkeys(topics, 1))), length)
    seed = secrets.randbits(62) if seed is None else seed
    paper = draw_paper(session, worker.role_code, enterprise.industry_codes, blueprint, seed, allow_short=True)
    if not paper.items:
        raise AttemptError(msg("the bank has no questions on these topics for this role"))
    quiz = PracticeQuiz(client_id=client_id, enterprise=enterprise, worker=worker, created_by_id=created_by.id,
                        topic_codes=list(topics), blueprint=asdict(blueprint), seed=seed, items=paper.stored(),
                        started_at=now or utcnow())
    return insert_or_stored(session, quiz, lambda: _made(session, client_id, worker))


def _made(session: Session, client_id: str, worker: Worker) -> PracticeQuiz | None:
    """The quiz an earlier copy of this request made; the same request id for another person is a conflict."""
    existing = session.scalar(select(PracticeQuiz).where(PracticeQuiz.client_id == client_id))
    if existing is not None and existing.worker_id != worker.id:
        raise AttemptConflict(msg("this request id was already used for another paper"))
    return existing


def request_id_for(client_id: str, worker: Worker) -> str:
    """The request id of one worker's quiz among several made by one request: a retry makes the same ones."""
    return str(uuid.uuid5(uuid.UUID(client_id), worker.public_token))


def submit_practice(session: Session, quiz: PracticeQuiz, *, submission_id: str, responses: list,
                    now: datetime | None = None) -> PracticeQuiz:
    """Score a practice quiz. The same ``submission_id`` and answers again return the stored result; other
    answers to a final quiz are a conflict."""
    digest = payload_hash(responses)
    if quiz.status == "final":
        if quiz.submission_id == submission_id and quiz.submission_hash == digest:
            return quiz
        raise AttemptConflict(msg("this attempt was already submitted with other answers"))
    if not isinstance(responses, list) or len(responses) != len(quiz.items):
        raise ScoringError(f"the paper has {len(quiz.items)} items")
    bank_responses = [to_bank_letters(item, response) for item, response in zip(quiz.items, responses, strict=True)]
    result = score_paper(scoring_contents(session, quiz.items), bank_responses, quiz.blueprint["pass_mark"],
                         quiz.blueprint["multiple_rule"])
    quiz.responses, quiz.submission_id, quiz.submission_hash = responses, submission_id, digest
    quiz.item_scores = [item.fraction for item in result.items]
    quiz.score, quiz.passed = result.score, result.passed
    quiz.submitted_at, quiz.status = now or utcnow(), "final"
    session.flush()
    return quiz
