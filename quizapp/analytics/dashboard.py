"""The bureau's dashboard: inspections, exams, certificate findings and drills by county, industry, role and
topic, month by month, down to each enterprise.

Each figure is aggregated in SQL, grouped by enterprise (a city has a few hundred): counties and industries
are then summed here. An enterprise's industries are a JSON list, expanded per enterprise in Python rather
than with JSON functions in SQL, which differ between SQLite and PostgreSQL. Results count as they stand:
a result a final correction replaced is left out, the correction counted instead. Exams and certificate
findings count under the worker's role; answers under the role copied into attempt_items when they were scored.
Answers per topic are read from the monthly topic tallies, so they count whole months: every day of the months
the range touches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, case, distinct, extract, func, select, true
from sqlalchemy.orm import Session

from quizapp.analytics.items import replaced_attempt_ids
from quizapp.models import (
    Attempt,
    DrillRun,
    Enterprise,
    Finding,
    Industry,
    Inspection,
    Role,
    Topic,
    Worker,
)
from quizapp.models import TopicTally as StoredTally

MONTHS_BY_DEFAULT = 12
WEAKEST_TOPICS_SHOWN = 3
MIN_ANSWERS_PER_TOPIC = 10
"""A topic answered fewer times than this in a group is not called its weakest: one bad day would decide it."""


def months_back(day: date, months: int) -> date:
    """The first day of the month ``months`` before the month of ``day``."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class DashboardFilter:
    """Inspection days from ``start`` to ``end`` (both included); a county and an industry narrow the enterprises."""

    start: date
    end: date
    county: str = ""
    industry: str = ""

    @classmethod
    def last_twelve_months(cls, today: date) -> DashboardFilter:
        return cls(months_back(today, MONTHS_BY_DEFAULT - 1), today)

    def admits(self, county: str, industries: Iterable[str]) -> bool:
        return (not self.county or county == self.county) and (not self.industry or self.industry in industries)

    @property
    def months(self) -> list[tuple[int, int]]:
        """(year, month) of every month the range touches, in order."""
        first, last = self.start.year * 12 + self.start.month - 1, self.end.year * 12 + self.end.month - 1
        return [(index // 12, index % 12 + 1) for index in range(first, last + 1)]


@dataclass
class TopicTally:
    """Answers to items of one topic and the points they earned (an item is worth 1)."""

    answers: int = 0
    points: float = 0.0

    @property
    def score_rate(self) -> float:
        return self.points / self.answers


@dataclass
class Figures:
    """What the dashboard shows of any group of results: counts to add up, and rates made from them."""

    inspections: int = 0
    exams: int = 0
    exams_passed: int = 0
    staff_examined: int = 0
    certificate_findings: int = 0
    drills: int = 0
    drills_passed: int = 0
    topics: dict[int, TopicTally] = field(default_factory=lambda: defaultdict(TopicTally))

    def add(self, other: Figures) -> None:
        for counted in fields(self):
            if counted.name != "topics":
                setattr(self, counted.name, getattr(self, counted.name) + getattr(other, counted.name))
        for topic_id, tally in other.topics.items():
            self.tally(topic_id, tally.answers, tally.points)

    def tally(self, topic_id: int, answers: int, points: float) -> None:
        own = self.topics[topic_id]
        own.answers += answers
        own.points += points

    @property
    def pass_rate(self) -> float | None:
        return self.exams_passed / self.exams if self.exams else None

    @property
    def drill_pass_rate(self) -> float | None:
        return self.drills_passed / self.drills if self.drills else None


@dataclass(frozen=True)
class TopicScore:
    name: str
    answers: int
    score_rate: float


@dataclass(frozen=True)
class Row:
    """One line of a dashboard table; ``key`` is what a link to it needs (county name, enterprise token …)."""

    key: str
    label: str
    figures: Figures
    weakest: list[TopicScore]


@dataclass(frozen=True)
class Dashboard:
    filters: DashboardFilter
    total: Figures
    months: list[tuple[str, Figures]]  # "2026-03", figures
    counties: list[Row]
    enterprises: list[Row]  # of the chosen county; empty when no county is chosen
    industries: list[Row]
    roles: list[Row]
    topics: list[TopicScore]  # weakest first
    county_choices: list[str]
    industry_choices: list[tuple[str, str]]  # code, name


@dataclass(frozen=True)
class _Scope:
    """The filter as SQL: days in range, the chosen enterprises when a county or industry narrows them, and the
    results in force."""

    filters: DashboardFilter
    enterprise_ids: list[int] | None
    replaced_attempt_ids: list[int]

    def apply(self, query: Select, day: ColumnElement[Any], enterprise_id: ColumnElement[int]) -> Select:
        query = query.where(day.between(self.filters.start, self.filters.end))
        return query if self.enterprise_ids is None else query.where(enterprise_id.in_(self.enterprise_ids))

    def in_force(self, attempt_id: ColumnElement[int]) -> ColumnElement[bool]:
        return attempt_id.not_in(self.replaced_attempt_ids) if self.replaced_attempt_ids else true()


def _year_month(day: ColumnElement[Any]) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    return extract("year", day), extract("month", day)


def _count_true(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


class _Collector:
    """Runs the dashboard's queries and files their rows under enterprise, role and month."""

    def __init__(self, session: Session, scope: _Scope):
        self.session, self.scope = session, scope
        self.enterprises: dict[int, Figures] = defaultdict(Figures)
        self.roles: dict[str, Figures] = defaultdict(Figures)
        self.months: dict[tuple[int, int], Figures] = defaultdict(Figures)

    def _rows(self, query: Select, day: ColumnElement[Any] = Inspection.local_date,
              enterprise_id: ColumnElement[int] = Inspection.enterprise_id):
        return self.session.execute(self.scope.apply(query, day, enterprise_id))

    def _results(self, *columns: ColumnElement[Any]) -> Select:
        """``columns`` of the results in force, with their inspection and worker."""
        return (select(*columns).join(Inspection, Inspection.id == Attempt.inspection_id)
                .join(Worker, Worker.id == Attempt.worker_id)
                .where(Attempt.status == "final", self.scope.in_force(Attempt.id)))

    def inspections(self) -> None:
        year, month = _year_month(Inspection.local_date)
        query = select(Inspection.enterprise_id, year, month, func.count()).group_by(Inspection.enterprise_id,
                                                                                    year, month)
        for enterprise_id, year_value, month_value, count in self._rows(query):
            self.enterprises[enterprise_id].inspections += count
            self.months[int(year_value), int(month_value)].inspections += count

    def exams(self) -> None:
        year, month = _year_month(Inspection.local_date)
        query = self._results(Inspection.enterprise_id, Worker.role_code, year, month, func.count(),
                              _count_true(Attempt.passed.is_(True))) \
            .group_by(Inspection.enterprise_id, Worker.role_code, year, month)
        for enterprise_id, role, year_value, month_value, count, passed in self._rows(query):
            for figures in (self.enterprises[enterprise_id], self.roles[role],
                            self.months[int(year_value), int(month_value)]):
                figures.exams += count
                figures.exams_passed += passed

    def staff(self) -> None:
        """Staff examined, and for roles the inspections that examined someone of the role.

        A worker belongs to one enterprise and has one role, so distinct counts per pair add up exactly.
        """
        query = self._results(Inspection.enterprise_id, Worker.role_code, func.count(distinct(Attempt.worker_id)),
                              func.count(distinct(Attempt.inspection_id))) \
            .group_by(Inspection.enterprise_id, Worker.role_code)
        for enterprise_id, role, staff, inspections in self._rows(query):
            self.enterprises[enterprise_id].staff_examined += staff
            self.roles[role].staff_examined += staff
            self.roles[role].inspections += inspections

    def certificate_findings(self) -> None:
        query = (select(Inspection.enterprise_id, Worker.role_code, func.count()).select_from(Finding)
                 .join(Inspection, Inspection.id == Finding.inspection_id).join(Worker, Worker.id == Finding.worker_id)
                 .where(Finding.kind.startswith("certificate_", autoescape=True))
                 .group_by(Inspection.enterprise_id, Worker.role_code))
        for enterprise_id, role, count in self._rows(query):
            self.enterprises[enterprise_id].certificate_findings += count
            self.roles[role].certificate_findings += count

    def drills(self) -> None:
        year, month = _year_month(Inspection.local_date)
        query = (select(Inspection.enterprise_id, year, month, func.count(), _count_true(DrillRun.passed.is_(True)))
                 .join(Inspection, Inspection.id == DrillRun.inspection_id).where(DrillRun.status == "finished")
                 .group_by(Inspection.enterprise_id, year, month))
        for enterprise_id, year_value, month_value, count, passed in self._rows(query):
            for figures in (self.enterprises[enterprise_id], self.months[int(year_value), int(month_value)]):
                figures.drills += count
                figures.drills_passed += passed

    def topics(self) -> None:
        """Answers and points per topic, read from the topic tallies (an item counts under every topic its version
        is tagged with; results a correction replaced are already taken out there).

        The tallies are kept by month, so the range counts whole months: from the month of its first day to the
        month of its last.
        """
        query = (select(StoredTally.enterprise_id, StoredTally.role_code, StoredTally.topic_id,
                        func.sum(StoredTally.answers), func.sum(StoredTally.points))
                 .where(StoredTally.month.between(self.scope.filters.start.replace(day=1),
                                                 self.scope.filters.end.replace(day=1)))
                 .group_by(StoredTally.enterprise_id, StoredTally.role_code, StoredTally.topic_id)
                 .having(func.sum(StoredTally.answers) > 0))
        if self.scope.enterprise_ids is not None:
            query = query.where(StoredTally.enterprise_id.in_(self.scope.enterprise_ids))
        for enterprise_id, role, topic, answers, points in self.session.execute(query):
            self.enterprises[enterprise_id].tally(topic, answers, points)
            self.roles[role].tally(topic, answers, points)


def _weakest(figures: Figures, topic_names: dict[int, str], limit: int = WEAKEST_TOPICS_SHOWN,
             min_answers: int | None = None) -> list[TopicScore]:
    """The group's topics with the lowest share of points earned, among those answered ``min_answers`` times
    (by default MIN_ANSWERS_PER_TOPIC, read when called)."""
    least = MIN_ANSWERS_PER_TOPIC if min_answers is None else min_answers
    scores = [TopicScore(topic_names[topic_id], tally.answers, tally.score_rate)
              for topic_id, tally in figures.topics.items() if tally.answers >= least]
    return sorted(scores, key=lambda score: (score.score_rate, score.name))[:limit]


def _sum(parts: Iterable[Figures]) -> Figures:
    total = Figures()
    for part in parts:
        total.add(part)
    return total


def build_dashboard(session: Session, filters: DashboardFilter) -> Dashboard:
    """Every figure of the dashboard for ``filters``: six grouped queries, then sums."""
    enterprises = session.execute(select(Enterprise.id, Enterprise.name, Enterprise.county, Enterprise.industry_codes,
                                         Enterprise.qr_token)).all()
    chosen = [enterprise for enterprise in enterprises if filters.admits(enterprise.county, enterprise.industry_codes)]
    narrowed = bool(filters.county or filters.industry)
    scope = _Scope(filters, [enterprise.id for enterprise in chosen] if narrowed else None,
                   replaced_attempt_ids(session))
    collector = _Collector(session, scope)
    for gather in (collector.inspections, collector.exams, collector.staff, collector.certificate_findings,
                   collector.drills, collector.topics):
        gather()

    topic_names = dict(session.execute(select(Topic.id, Topic.name)).all())
    industry_names = dict(session.execute(select(Industry.code, Industry.name).order_by(Industry.position)).all())
    by_county: dict[str, list[Figures]] = defaultdict(list)
    by_industry: dict[str, list[Figures]] = defaultdict(list)
    for enterprise in chosen:
        figures = collector.enterprises[enterprise.id]
        by_county[enterprise.county].append(figures)
        for code in enterprise.industry_codes:
            by_industry[code].append(figures)

    def row(key: str, label: str, figures: Figures) -> Row:
        return Row(key, label, figures, _weakest(figures, topic_names))

    total = _sum(collector.enterprises[enterprise.id] for enterprise in chosen)
    counties = [row(county, county, _sum(parts)) for county, parts in sorted(by_county.items())]
    industries = [row(code, name, _sum(by_industry[code])) for code, name in industry_names.items()
                  if code in by_industry]
    roles = [row(code, name, collector.roles[code])
             for code, name in session.execute(select(Role.code, Role.name).order_by(Role.position))]
    enterprise_rows = [row(enterprise.qr_token, enterprise.name, collector.enterprises[enterprise.id])
                       for enterprise in sorted(chosen, key=lambda item: item.name)] if filters.county else []
    return Dashboard(
        filters=filters, total=total,
        months=[(f"{year}-{month:02d}", collector.months[year, month]) for year, month in filters.months],
        counties=counties, enterprises=enterprise_rows, industries=industries, roles=roles,
        topics=_weakest(total, topic_names, limit=len(topic_names), min_answers=1),
        county_choices=sorted({enterprise.county for enterprise in enterprises}),
        industry_choices=list(industry_names.items()))
