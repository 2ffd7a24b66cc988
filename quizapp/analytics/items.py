"""Item statistics of the bank's questions, and the reliability of each blueprint's papers.

Computed the way Moodle's quiz statistics are (docs.moodle.org, "Quiz statistics calculations"), over the
results in force: final attempts that no final correction replaced. For an item i (a question, all its
versions together) asked in N attempts, let x_p be the fraction of the item's points earned in attempt p
(an item is worth 1: every item of a paper weighs the same), T_p the attempt's total (the sum of its
fractions) and X_p = T_p - x_p the rest of the attempt. With

    C(a, b) = Σ (a_p - mean a)(b_p - mean b) / (N - 1)      and      V(a) = C(a, a):

    facility index             F = mean x                      (0 to 1; the share of the points earned)
    standard deviation         SD = √V(x)                      (as a fraction of the item's points)
    discrimination index       D = 100 · C(x, X) / √(V(x) · V(X))
                                   the item–rest correlation: does doing well here go with doing well elsewhere?
    discriminative efficiency  E = 100 · C(x, X) / C_max(x, X)
                                   C_max is C(x, X) with the x sorted and the X sorted and paired in that order:
                                   the largest covariance these two distributions allow, so an easy or hard item
                                   is not blamed for a limit its facility sets.

Cronbach's α of a blueprint with k item positions, over the N attempts of its papers, x_j the fractions at
position j:

    α = k / (k - 1) · (1 - Σ_j V(x_j) / V(T))                 (Moodle shows 100·α as its "CIC")

The database does the passes over the million answers, with window sums over each attempt (its total T and
number of items); Python gets back only what is left after grouping, in two queries:

- per question and version, the answers grouped by (x, T): the few distinct pairs give every sum above
  (X = T - x), both distributions that C_max needs, and how many versions were asked;
- per blueprint (its name and number of items) and item position, the sums of x and x², and at the first
  position the number of attempts and the sums of T and T², for α.

Shipping the rows to Python instead (one ordered pass) took five times as long as the database's own grouping
on PostgreSQL; this way both databases stay within three times a bare SQL query for facility and
discrimination alone (tests/perf/analytics.py).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

from sqlalchemy import ColumnElement, case, func, select, text, true
from sqlalchemy.orm import Session

from quizapp.models import Attempt, AttemptItem, Question, QuestionVersion

MIN_ANSWERS_FOR_FLAGS = 30
"""Below this many answers an item's figures move too much from one answer to the next to judge the item."""
TOO_EASY, TOO_HARD = 0.95, 0.2
LOW_EFFICIENCY = 15
FLAGS = ("too_easy", "too_hard", "negative_discrimination", "low_efficiency")


def replaced_attempt_ids(session: Session) -> list[int]:
    """Final results a final correction replaced: statistics count the correction in their place.

    Read once into a list (corrections are rare) so that queries need not scan the attempts again for them.
    """
    return list(session.scalars(select(Attempt.corrects_id).where(Attempt.corrects_id.is_not(None),
                                                                  Attempt.status == "final")))


def _sorted_cross_product(first: Counter[float], second: Counter[float]) -> float:
    """Σ a_(p)·b_(p): the p-th smallest value of one distribution times the p-th smallest of the other.

    The distributions are kept as value → count (a handful of distinct fractions and totals), not as lists.
    """
    pending = sorted(second.items())
    index, (value, left) = 0, pending[0]
    total = 0.0
    for own, count in sorted(first.items()):
        while count:
            run = min(count, left)
            total += run * own * value
            count, left = count - run, left - run
            if not left and index + 1 < len(pending):
                index += 1
                value, left = pending[index]
    return total


@dataclass
class _Moments:
    """The running sums one item's statistics need: of x, x², X, X², x·X, and how x and X are distributed."""

    count: int = 0
    sum_x: float = 0.0
    sum_xx: float = 0.0
    sum_rest: float = 0.0
    sum_rest_squared: float = 0.0
    sum_x_rest: float = 0.0
    fractions: Counter[float] = field(default_factory=Counter)
    rests: Counter[float] = field(default_factory=Counter)

    def add(self, fraction: float, rest: float, count: int) -> None:
        """``count`` answers that earned ``fraction`` in attempts whose other items earned ``rest``."""
        rest = round(rest, 6)  # fractions have 4 decimals: equal rests must count as one value, not float noise
        self.count += count
        self.sum_x += count * fraction
        self.sum_xx += count * fraction * fraction
        self.sum_rest += count * rest
        self.sum_rest_squared += count * rest * rest
        self.sum_x_rest += count * fraction * rest
        self.fractions[fraction] += count
        self.rests[rest] += count

    def covariance(self, sum_products: float) -> float:
        return (sum_products - self.sum_x * self.sum_rest / self.count) / (self.count - 1)


def _variance(count: int, total: float, total_squares: float) -> float:
    return (total_squares - total * total / count) / (count - 1)


@dataclass(frozen=True)
class ItemStatistics:
    question_id: int
    code: str
    type: str
    stem: str  # of the current version
    retired: bool
    asked: int
    versions: int  # how many of its versions were asked
    facility: float
    sd: float | None
    discrimination: float | None  # percent, -100 to 100; None when x or the rest never varied
    efficiency: float | None  # percent
    flags: tuple[str, ...]


def _flags(asked: int, facility: float, discrimination: float | None, efficiency: float | None) -> tuple[str, ...]:
    if asked < MIN_ANSWERS_FOR_FLAGS:
        return ()
    raised = {"too_easy": facility > TOO_EASY, "too_hard": facility < TOO_HARD,
              "negative_discrimination": discrimination is not None and discrimination < 0,
              "low_efficiency": efficiency is not None and efficiency < LOW_EFFICIENCY}
    return tuple(flag for flag in FLAGS if raised[flag])


def _item_statistics(question_id: int, moments: _Moments, versions: int,
                     question: tuple[str, str, str, str]) -> ItemStatistics:
    code, kind, stem, status = question
    n = moments.count
    facility = moments.sum_x / n
    sd = discrimination = efficiency = None
    if n > 1:
        variance = _variance(n, moments.sum_x, moments.sum_xx)
        rest_variance = _variance(n, moments.sum_rest, moments.sum_rest_squared)
        sd = math.sqrt(max(variance, 0.0))
        covariance = moments.covariance(moments.sum_x_rest)
        if variance > 1e-12 and rest_variance > 1e-12:
            discrimination = 100 * covariance / math.sqrt(variance * rest_variance)
        largest = moments.covariance(_sorted_cross_product(moments.fractions, moments.rests))
        if largest > 1e-12:
            efficiency = 100 * covariance / largest
    return ItemStatistics(question_id, code, kind, stem, status == "retired", n, versions, facility, sd,
                          discrimination, efficiency, _flags(n, facility, discrimination, efficiency))


@dataclass(frozen=True)
class BlueprintReliability:
    """Cronbach's α of the papers drawn with one blueprint of ``items`` items (None below two attempts or items)."""

    name: str
    items: int
    attempts: int
    alpha: float | None


@dataclass
class _PaperSums:
    """Per blueprint: the number of attempts, the sums of their totals and squared totals, and per item position
    the sums of x and x²."""

    count: int = 0
    sum_total: float = 0.0
    sum_total_squared: float = 0.0
    positions: dict[int, tuple[float, float]] = field(default_factory=dict)

    def alpha(self, items: int) -> float | None:
        if self.count < 2 or items < 2:
            return None
        total_variance = _variance(self.count, self.sum_total, self.sum_total_squared)
        if total_variance <= 1e-12:
            return None
        item_variances = sum(_variance(self.count, *sums) for sums in self.positions.values())
        return items / (items - 1) * (1 - item_variances / total_variance)


@dataclass(frozen=True)
class BankStatistics:
    items: list[ItemStatistics]
    blueprints: list[BlueprintReliability]


def _asked_questions(session: Session) -> dict[int, tuple[str, str, str, str]]:
    """Code, type, stem and status (from the current version) of every question that was ever asked."""
    rows = session.execute(
        select(Question.id, Question.code, QuestionVersion.type, QuestionVersion.stem, Question.status)
        .join(QuestionVersion, (QuestionVersion.question_id == Question.id)
              & (QuestionVersion.number == Question.current_number))
        .where(Question.id.in_(select(AttemptItem.question_id).distinct())))
    return {question_id: tuple(rest) for question_id, *rest in rows}


def _in_force(session: Session) -> ColumnElement[bool]:
    replaced = replaced_attempt_ids(session)
    return AttemptItem.attempt_id.not_in(replaced) if replaced else true()


def _answers(in_force: ColumnElement[bool]):
    """Every answer in force with its attempt's total and number of items (window sums over the attempt)."""
    fraction, attempt = AttemptItem.fraction, AttemptItem.attempt_id
    return select(AttemptItem.attempt_id, AttemptItem.position, AttemptItem.question_id, AttemptItem.version_id,
                  fraction.label("x"), func.sum(fraction).over(partition_by=attempt).label("total"),
                  func.count().over(partition_by=attempt).label("length")).where(in_force).subquery()


def _item_moments(session: Session, answers) -> tuple[dict[int, _Moments], Counter[int]]:
    """Per question, its moments, and how many of its versions were asked."""
    moments: dict[int, _Moments] = defaultdict(_Moments)
    versions: Counter[int] = Counter()
    seen: set[tuple[int, int]] = set()
    for question_id, version_id, x, total, count in session.execute(
            select(answers.c.question_id, answers.c.version_id, answers.c.x, answers.c.total, func.count())
            .group_by(answers.c.question_id, answers.c.version_id, answers.c.x, answers.c.total)):
        moments[question_id].add(x, total - x, count)
        if (question_id, version_id) not in seen:
            seen.add((question_id, version_id))
            versions[question_id] += 1
    return moments, versions


def _paper_sums(session: Session, answers) -> dict[tuple[str, int], _PaperSums]:
    """Per (blueprint name, number of items): the attempts' sums (read at their first item), and each position's.

    The names are read once per attempt in a materialised CTE, not from the JSON of every answer's attempt."""
    names = select(Attempt.id, func.coalesce(Attempt.blueprint["name"].as_string(), "").label("name")) \
        .where(Attempt.status == "final").cte("names").prefix_with("MATERIALIZED")
    first = answers.c.position == 0
    sums: dict[tuple[str, int], _PaperSums] = defaultdict(_PaperSums)
    for name, length, position, count, x, xx, total, squares in session.execute(
            select(names.c.name, answers.c.length, answers.c.position, func.count(), func.sum(answers.c.x),
                   func.sum(answers.c.x * answers.c.x), func.sum(case((first, answers.c.total), else_=0.0)),
                   func.sum(case((first, answers.c.total * answers.c.total), else_=0.0)))
            .join(names, names.c.id == answers.c.attempt_id)
            .group_by(names.c.name, answers.c.length, answers.c.position)):
        paper = sums[name, length]
        paper.positions[position] = (x, xx)
        if position == 0:
            paper.count, paper.sum_total, paper.sum_total_squared = count, total, squares
    return sums


Sums = tuple[dict[int, _Moments], Counter[int], dict[tuple[str, int], _PaperSums]]
"""Per question its moments and how many of its versions were asked; per blueprint its papers' sums."""


def _sums_in_database(session: Session) -> Sums:
    # Room to group the answers in memory (about 160,000 groups on a city's data), for this transaction only.
    session.execute(text("SET LOCAL work_mem = '64MB'"))
    answers = _answers(_in_force(session))
    return *_item_moments(session, answers), _paper_sums(session, answers)


def _blueprint_names(session: Session) -> dict[int, str]:
    """The blueprint name of every result in force, by attempt id (read from the JSON in SQL: decoding every
    attempt's whole blueprint in Python took most of a second on a city's results)."""
    names = {attempt_id: name or "" for attempt_id, name in session.execute(
        select(Attempt.id, Attempt.blueprint["name"].as_string()).where(Attempt.status == "final"))}
    for replaced in replaced_attempt_ids(session):
        names.pop(replaced, None)
    return names


def _sums_in_python(session: Session) -> Sums:
    """One ordered pass over the answers (the primary key's order: an attempt's rows arrive together, so its
    total is known before its items are added)."""
    blueprint_of = _blueprint_names(session)
    moments: dict[int, _Moments] = defaultdict(_Moments)
    asked: set[tuple[int, int]] = set()
    papers: dict[tuple[str, int], _PaperSums] = defaultdict(_PaperSums)
    rows = session.connection().execute(
        select(AttemptItem.attempt_id, AttemptItem.position, AttemptItem.question_id, AttemptItem.version_id,
               AttemptItem.fraction).order_by(AttemptItem.attempt_id, AttemptItem.position))
    for attempt_id, attempt_rows in groupby(rows, key=itemgetter(0)):
        if attempt_id not in blueprint_of:
            continue
        paper = list(attempt_rows)
        total = sum(row[4] for row in paper)
        for _, _, question_id, version_id, fraction in paper:
            moments[question_id].add(fraction, total - fraction, 1)
            asked.add((question_id, version_id))
        sums = papers[blueprint_of[attempt_id], len(paper)]
        sums.count, sums.sum_total, sums.sum_total_squared = \
            sums.count + 1, sums.sum_total + total, sums.sum_total_squared + total * total
        for _, position, _, _, fraction in paper:
            x, xx = sums.positions.get(position, (0.0, 0.0))
            sums.positions[position] = (x + fraction, xx + fraction * fraction)
    return moments, Counter(question_id for question_id, _ in asked), papers


def bank_statistics(session: Session) -> BankStatistics:
    """Item statistics of every question ever asked, and Cronbach's α per blueprint (by name and length).

    PostgreSQL groups the answers itself; SQLite sorts a million rows to group them, slower than one ordered
    pass in Python (3.3 against 2.7 times the bare SQL on the demo city, where PostgreSQL's grouping is 3.0 and
    the pass 5.0): the same sums either way, and the tests run on both databases.
    """
    sums = _sums_in_database if session.get_bind().dialect.name == "postgresql" else _sums_in_python
    moments, versions, papers = sums(session)
    questions = _asked_questions(session)
    items = [_item_statistics(question_id, moments[question_id], versions[question_id], questions[question_id])
             for question_id in moments]
    reliability = [BlueprintReliability(name, length, paper.count, paper.alpha(length))
                   for (name, length), paper in sorted(papers.items())]
    return BankStatistics(sorted(items, key=lambda item: item.code), reliability)


def _missing_last(value: float | None) -> tuple[bool, float]:
    return value is None, value or 0.0


ORDERINGS: dict[str, Callable[[ItemStatistics], tuple]] = {
    "flags": lambda item: (-len(item.flags), item.code),
    "facility": lambda item: (item.facility, item.code),
    "discrimination": lambda item: (*_missing_last(item.discrimination), item.code),
    "efficiency": lambda item: (*_missing_last(item.efficiency), item.code),
    "asked": lambda item: (-item.asked, item.code),
    "code": lambda item: (item.code,),
}
"""Ways to sort the item list, each putting the items most worth a look first."""
