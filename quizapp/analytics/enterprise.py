"""An enterprise's review of itself: its inspections and pass rates over time, each worker's latest result,
weak topics, the wrong-answer book (错题本), who must be re-examined by when, and findings to put right.

Every query starts from the enterprise — attempt_items by its indexed enterprise_id, attempts through the
enterprise's inspections — and aggregates in the database; Python only folds days into months or quarters,
which SQLite and PostgreSQL spell differently. Results count as they stand, as on the bureau's dashboard: a
result a final correction replaced is left out, with its failed-exam finding, and the correction counts instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select, true
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from quizapp.bank.citations import format_citation
from quizapp.exam.papers import right_answer
from quizapp.exam.rectification import REEXAM_KIND
from quizapp.models import (
    Attempt,
    AttemptItem,
    Finding,
    Inspection,
    LegalSource,
    QuestionBasis,
    QuestionVersion,
    Role,
    Topic,
    Worker,
)
from quizapp.models.question import version_topics

SMALL_SAMPLE = 20
"""A figure from fewer answers than this is marked as a small sample: one worker's good or bad day moves it."""
PERIODS = ("month", "quarter")


def superseded_ids(session: Session, enterprise_id: int) -> list[int]:
    """Ids of the enterprise's results that a final correction replaced: a handful, usually none, read once per
    page and given to its queries as a list. As a subquery in each of them it hid from PostgreSQL how little it
    removes, and the planner scanned whole tables instead of using the enterprise's indexes."""
    return list(session.scalars(
        select(Attempt.corrects_id).join(Inspection, Inspection.id == Attempt.inspection_id)
        .where(Inspection.enterprise_id == enterprise_id, Attempt.corrects_id.is_not(None),
               Attempt.status == "final")))


def _not_among(column: ColumnElement[int], ids: list[int]) -> ColumnElement[bool]:
    return column.not_in(ids) if ids else true()


def _official(attempt: type[Attempt], superseded: list[int]) -> ColumnElement[bool]:
    """A final result that no final correction replaced."""
    return and_(attempt.status == "final", _not_among(attempt.id, superseded))


def _answers(enterprise_id: int, superseded: list[int]) -> ColumnElement[bool]:
    """The enterprise's scored items, through the (enterprise_id, answered_on) index, replaced results left out."""
    return and_(AttemptItem.enterprise_id == enterprise_id, _not_among(AttemptItem.attempt_id, superseded))


def not_withdrawn(superseded: list[int]) -> ColumnElement[bool]:
    """A finding that stands: one recorded from a result a final correction replaced is withdrawn."""
    return or_(Finding.attempt_id.is_(None), _not_among(Finding.attempt_id, superseded))


def _known(session: Session, enterprise_id: int, superseded: list[int] | None) -> list[int]:
    return superseded_ids(session, enterprise_id) if superseded is None else superseded


def _count_true(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


# Inspections and pass rates


@dataclass(frozen=True)
class InspectionRow:
    inspection: Inspection
    examined: int  # workers with an official result
    passed: int
    findings: int  # withdrawn findings (of replaced results) are not counted


def inspection_rows(session: Session, enterprise_id: int, superseded: list[int] | None = None) -> list[InspectionRow]:
    """The enterprise's inspections, latest first, with their results and findings counted in the database."""
    superseded = _known(session, enterprise_id, superseded)
    results = {inspection_id: (examined, passed) for inspection_id, examined, passed in session.execute(
        select(Attempt.inspection_id, func.count(), _count_true(Attempt.passed.is_(True)))
        .join(Inspection, Inspection.id == Attempt.inspection_id)
        .where(Inspection.enterprise_id == enterprise_id, _official(Attempt, superseded))
        .group_by(Attempt.inspection_id))}
    findings = dict(session.execute(
        select(Finding.inspection_id, func.count()).join(Inspection, Inspection.id == Finding.inspection_id)
        .where(Inspection.enterprise_id == enterprise_id, not_withdrawn(superseded))
        .group_by(Finding.inspection_id)).all())
    inspections = session.scalars(select(Inspection).where(Inspection.enterprise_id == enterprise_id)
                                  .order_by(Inspection.local_date.desc(), Inspection.opened_at.desc()))
    return [InspectionRow(inspection, *results.get(inspection.id, (0, 0)), findings.get(inspection.id, 0))
            for inspection in inspections]


@dataclass(frozen=True)
class PeriodRate:
    period: str  # "2026-03", or "2026-Q1"
    examined: int
    passed: int

    @property
    def rate(self) -> float:
        return self.passed / self.examined


def period_of(day: date, period: str) -> str:
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def pass_rates(rows: Iterable[InspectionRow], period: str = "month") -> list[PeriodRate]:
    """Examined and passed per month or quarter of the inspection day, oldest first; periods without results
    are left out. (A chart of these figures can sit next to the table.)"""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        if row.examined:
            total = totals[period_of(row.inspection.local_date, period)]
            total[0] += row.examined
            total[1] += row.passed
    return [PeriodRate(name, examined, passed) for name, (examined, passed) in sorted(totals.items())]


# Each worker's latest result


@dataclass(frozen=True)
class LatestResult:
    worker: str
    role: str
    day: date
    score: float
    passed: bool
    token: str  # the attempt's public token


def latest_results(session: Session, enterprise_id: int, superseded: list[int] | None = None) -> list[LatestResult]:
    """Each examined worker's latest official result, by name."""
    superseded = _known(session, enterprise_id, superseded)
    newest_first = func.row_number().over(partition_by=Attempt.worker_id, order_by=(
        Inspection.local_date.desc(), Attempt.submitted_at.desc(), Attempt.id.desc()))
    ranked = (select(Attempt.worker_id, Attempt.public_token, Attempt.score, Attempt.passed, Inspection.local_date,
                     newest_first.label("rank"))
              .join(Inspection, Inspection.id == Attempt.inspection_id)
              .where(Inspection.enterprise_id == enterprise_id, _official(Attempt, superseded)).subquery())
    rows = session.execute(
        select(Worker.name, func.coalesce(Role.name, Worker.role_code), ranked.c.local_date, ranked.c.score,
               ranked.c.passed, ranked.c.public_token)
        .join(ranked, ranked.c.worker_id == Worker.id).outerjoin(Role, Role.code == Worker.role_code)
        .where(ranked.c.rank == 1).order_by(Worker.name, Worker.id))
    return [LatestResult(*row) for row in rows]


# Weak topics


@dataclass(frozen=True)
class Accuracy:
    """The mean fraction of the points earned over a number of answers."""

    answers: int = 0
    points: float = 0.0

    def __add__(self, other: Accuracy) -> Accuracy:
        return Accuracy(self.answers + other.answers, self.points + other.points)

    @property
    def rate(self) -> float:
        return self.points / self.answers

    @property
    def small_sample(self) -> bool:
        return self.answers < SMALL_SAMPLE


@dataclass(frozen=True)
class Breakdown:
    """A figure over all roles, and one per role code."""

    by_role: dict[str, Accuracy]

    @property
    def overall(self) -> Accuracy:
        return sum(self.by_role.values(), Accuracy())


@dataclass(frozen=True)
class TopicAccuracy:
    code: str
    name: str
    figures: Breakdown
    sub_topics: list[TopicAccuracy] = field(default_factory=list)  # only a top-level topic has them


@dataclass(frozen=True)
class TopicReport:
    roles: list[tuple[str, str]]  # (code, name) of the roles answered, in the taxonomy's order
    all_topics: Breakdown  # every answer, whatever its topics
    topics: list[TopicAccuracy]  # top-level topics, weakest first, each with its sub-topics weakest first


def _breakdowns(rows: Iterable[Any]) -> dict[Any, Breakdown]:
    """(key, role code, answers, points) rows from the database, by key."""
    found: dict[Any, dict[str, Accuracy]] = defaultdict(dict)
    for key, role_code, answers, points in rows:
        found[key][role_code] = Accuracy(answers, float(points))
    return {key: Breakdown(by_role) for key, by_role in found.items()}


def topic_accuracy(session: Session, enterprise_id: int) -> TopicReport:
    """Accuracy per topic and role: the mean fraction of the items tagged with the topic.

    A top-level topic counts every item tagged with it or any of its sub-topics once (the taxonomy nests one
    level deep); a sub-topic counts the items tagged with it.
    """
    answers = _answers(enterprise_id, superseded_ids(session, enterprise_id))
    figures = AttemptItem.role_code, func.count(), func.sum(AttemptItem.fraction)
    tagged = (select(AttemptItem.attempt_id, AttemptItem.position, AttemptItem.role_code, AttemptItem.fraction,
                     func.coalesce(Topic.parent_id, Topic.id).label("top_id"))
              .join(version_topics, version_topics.c.version_id == AttemptItem.version_id)
              .join(Topic, Topic.id == version_topics.c.topic_id).where(answers).distinct().subquery())
    top_level = _breakdowns(session.execute(
        select(tagged.c.top_id, tagged.c.role_code, func.count(), func.sum(tagged.c.fraction))
        .group_by(tagged.c.top_id, tagged.c.role_code)))
    by_topic = _breakdowns(session.execute(
        select(version_topics.c.topic_id, *figures)
        .join(version_topics, version_topics.c.version_id == AttemptItem.version_id).where(answers)
        .group_by(version_topics.c.topic_id, AttemptItem.role_code)))
    all_topics = Breakdown({role_code: Accuracy(count, float(points)) for role_code, count, points in session.execute(
        select(*figures).where(answers).group_by(AttemptItem.role_code))})
    topics = list(session.scalars(select(Topic).order_by(Topic.position)))

    def weakest_first(entries: list[tuple[int, TopicAccuracy]]) -> list[TopicAccuracy]:
        return [entry for _, entry in sorted(entries, key=lambda pair: (pair[1].figures.overall.rate, pair[0]))]

    report = []
    for topic in topics:
        if topic.parent_id is None and topic.id in top_level:
            children = [(child.position, TopicAccuracy(child.code, child.name, by_topic[child.id])) for child in topics
                        if child.parent_id == topic.id and child.id in by_topic]
            report.append((topic.position, TopicAccuracy(topic.code, topic.name, top_level[topic.id],
                                                               weakest_first(children))))
    roles = [(code, name) for code, name in session.execute(select(Role.code, Role.name).order_by(Role.position))
             if code in all_topics.by_role]
    return TopicReport(roles, all_topics, weakest_first(report))


# The wrong-answer book


def _missed() -> ColumnElement[int]:
    return _count_true(AttemptItem.fraction < 1)


def most_missed_questions(session: Session, enterprise_id: int) -> Select:
    """Ids of the questions the enterprise's staff did not get fully right, most often missed first (to page)."""
    return (select(AttemptItem.question_id).where(_answers(enterprise_id, superseded_ids(session, enterprise_id)))
            .group_by(AttemptItem.question_id)
            .having(_missed() > 0).order_by(_missed().desc(), AttemptItem.question_id))


@dataclass(frozen=True)
class WrongAnswer:
    code: str
    version: QuestionVersion  # the latest version missed: its stem, options in the bank's order, explanation, basis
    right_answer: Any  # in the bank's letters
    missed: int
    asked: int


def wrong_answers(session: Session, enterprise_id: int, question_ids: list[int]) -> list[WrongAnswer]:
    """The book's entries for ``question_ids`` (a page of ``most_missed_questions``), in that order."""
    # Every question the enterprise was asked, through its index, and the page's picked here: filtering on the
    # page's questions instead let PostgreSQL read their answers city-wide (9 ms instead of 2).
    figures = {question_id: (version_id, missed, asked) for question_id, version_id, missed, asked in session.execute(
        select(AttemptItem.question_id, func.max(case((AttemptItem.fraction < 1, AttemptItem.version_id))),
               _missed(), func.count())
        .where(_answers(enterprise_id, superseded_ids(session, enterprise_id)))
        .group_by(AttemptItem.question_id))}
    version_ids = [figures[question_id][0] for question_id in question_ids]
    versions = {version.id: version for version in session.scalars(
        select(QuestionVersion).where(QuestionVersion.id.in_(version_ids))
        .options(joinedload(QuestionVersion.question),
                 selectinload(QuestionVersion.basis).joinedload(QuestionBasis.source)))}
    def in_bank_order(version: QuestionVersion) -> dict[str, Any]:
        return {"version_id": version.id, "option_order": list(range(len(version.options)))}

    return [WrongAnswer(versions[version_id].question.code, versions[version_id],
                        right_answer(in_bank_order(versions[version_id]), versions[version_id]),
                        *figures[question_id][1:])
            for question_id, version_id in zip(question_ids, version_ids, strict=True)]


# Re-exams and findings


@dataclass(frozen=True)
class ReexamDue:
    worker: str
    role: str
    failed_on: date
    due_on: date
    overdue: bool


def reexams_due(session: Session, enterprise_id: int, today: date,
                superseded: list[int] | None = None) -> list[ReexamDue]:
    """Workers with a failed exam and no passed exam since, each once with their earliest due date."""
    superseded = _known(session, enterprise_id, superseded)
    failed, later = aliased(Attempt), aliased(Attempt)
    passed_since = exists().where(later.worker_id == failed.worker_id, later.passed.is_(True),
                                  later.submitted_at > failed.submitted_at, _official(later, superseded))
    rows = session.execute(
        select(Worker.id, Worker.name, func.coalesce(Role.name, Worker.role_code), Inspection.local_date,
               Finding.due_on)
        .join(failed, failed.id == Finding.attempt_id).join(Inspection, Inspection.id == Finding.inspection_id)
        .join(Worker, Worker.id == failed.worker_id).outerjoin(Role, Role.code == Worker.role_code)
        .where(Inspection.enterprise_id == enterprise_id, Finding.kind == REEXAM_KIND,
               not_withdrawn(superseded), ~passed_since)
        .order_by(Finding.due_on, Worker.name, Worker.id))
    due: dict[int, ReexamDue] = {}
    for worker_id, name, role, failed_on, due_on in rows:
        due.setdefault(worker_id, ReexamDue(name, role, failed_on, due_on, due_on < today))
    return list(due.values())


def findings_to_rectify(session: Session, enterprise_id: int) -> list[Finding]:
    """Findings not yet verified as put right, earliest due first (failed exams are put right by a re-exam)."""
    return list(session.scalars(
        select(Finding).join(Inspection, Inspection.id == Finding.inspection_id)
        .where(Inspection.enterprise_id == enterprise_id, Finding.kind != REEXAM_KIND, Finding.verified_at.is_(None))
        .order_by(Finding.due_on, Finding.id)
        .options(joinedload(Finding.worker), joinedload(Finding.inspection), joinedload(Finding.rectified_by),
                 joinedload(Finding.verified_by))))


def finding_citations(session: Session, findings: Iterable[Finding]) -> dict[int, list[str]]:
    """Each finding's legal basis as printed, by finding id."""
    findings = list(findings)
    codes = {basis["source"] for finding in findings for basis in finding.basis}
    sources = {source.code: source for source in session.scalars(select(LegalSource)
                                                                .where(LegalSource.code.in_(codes)))}
    return {finding.id: [format_citation(sources[b["source"]].short_name or sources[b["source"]].name,
                                         sources[b["source"]].kind, b["article"])
                         for b in finding.basis if b["source"] in sources]
            for finding in findings}


# The overview page


@dataclass(frozen=True)
class Overview:
    inspections: list[InspectionRow]
    pass_rates: list[PeriodRate]
    latest_results: list[LatestResult]
    reexams_due: list[ReexamDue]
    findings_to_rectify: list[Finding]
    finding_basis: dict[int, list[str]]


def overview(session: Session, enterprise_id: int, today: date, period: str = "month") -> Overview:
    """Everything the review's first page shows."""
    superseded = superseded_ids(session, enterprise_id)
    rows = inspection_rows(session, enterprise_id, superseded)
    findings = findings_to_rectify(session, enterprise_id)
    return Overview(rows, pass_rates(rows, period), latest_results(session, enterprise_id, superseded),
                    reexams_due(session, enterprise_id, today, superseded), findings,
                    finding_citations(session, findings))
