"""Analytics benchmarks on the demo's city-scale data (a year of a city's inspections, about a million answers).

Each figure is the median of ``runs`` runs of what a page computes, with the same functions its view calls, and its
ratio against hand-written SQL (and plain Python sums) for the same figures, measured in the same run:

- ``enterprise_review_ms``: the review's three pages for one enterprise (overview, accuracy per topic and role,
  the first page of the wrong-answer book), a few enterprises in turn. Its reference covers the figures named in
  the issue: accuracy per topic and role with counts, pass rate per month, wrong-answer counts.
- ``city_dashboard_ms``: the bureau dashboard for the whole city over the default range (the last twelve months).
- ``item_stats_bank_s``: item statistics of the whole bank; the reference gathers the sums of facility and
  item–rest correlation per question in one SQL query (window sums per attempt) and divides in Python.
"""

from __future__ import annotations

import math
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Date, bindparam, text
from sqlalchemy.orm import Session

REPO = Path(__file__).resolve().parents[2]
ENTERPRISES_MEASURED = 5
TARGETS = {"enterprise_review_ms": 150, "city_dashboard_ms": 1000, "item_stats_bank_s": 5}


def build_city(session: Session, hash_key: bytes) -> float:
    """The bundled bank imported, then the demo's city written and committed; returns the seconds it took."""
    from quizapp.bank.importer import import_bank
    from quizapp.bank.validate import load_bank
    from quizapp.demo import SCALES, DemoCity, demo_problem
    from quizapp.models.base import utcnow

    start = time.perf_counter()
    bank = load_bank(REPO / "question_bank", session)
    if bank.problems:
        raise RuntimeError(f"the bundled bank has problems: {bank.problems[:3]}")
    import_bank(session, bank)
    session.commit()
    problem = demo_problem(session)
    if problem:
        raise RuntimeError(problem)
    city = DemoCity(session, SCALES["city"], hash_key=hash_key, password_hash="x", now=utcnow())
    city.plan()
    city.write()
    session.commit()
    return time.perf_counter() - start


def _median(runs: int, action: Callable[[int], object]) -> float:
    """Median seconds of ``action(run)`` over ``runs`` runs."""
    times = []
    for run in range(runs):
        start = time.perf_counter()
        action(run)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _month(session: Session, column: str) -> str:
    """'YYYY-MM' of a date column, as each database spells it."""
    if session.get_bind().dialect.name == "postgresql":
        return f"to_char({column}, 'YYYY-MM')"
    return f"substr({column}, 1, 7)"


# The enterprise review

SUPERSEDED = """SELECT a.corrects_id FROM attempts a JOIN inspections i ON i.id = a.inspection_id
                WHERE i.enterprise_id = :e AND a.corrects_id IS NOT NULL AND a.status = 'final'"""


def enterprise_reference(session: Session) -> Callable[[int], object]:
    """Hand-written SQL for an enterprise's accuracy per topic and role, pass rates per month and wrong answers."""
    by_topic = text(f"""
        SELECT vt.topic_id, ai.role_code, count(*), sum(ai.fraction)
        FROM attempt_items ai JOIN question_version_topics vt ON vt.version_id = ai.version_id
        WHERE ai.enterprise_id = :e AND ai.attempt_id NOT IN ({SUPERSEDED})
        GROUP BY vt.topic_id, ai.role_code""")
    by_top_topic = text(f"""
        SELECT top_id, role_code, count(*), sum(fraction) FROM (
            SELECT DISTINCT ai.attempt_id, ai.position, ai.role_code, ai.fraction,
                   coalesce(t.parent_id, t.id) AS top_id
            FROM attempt_items ai JOIN question_version_topics vt ON vt.version_id = ai.version_id
            JOIN topics t ON t.id = vt.topic_id
            WHERE ai.enterprise_id = :e AND ai.attempt_id NOT IN ({SUPERSEDED})) tagged
        GROUP BY top_id, role_code""")
    by_role = text(f"""
        SELECT role_code, count(*), sum(fraction) FROM attempt_items
        WHERE enterprise_id = :e AND attempt_id NOT IN ({SUPERSEDED}) GROUP BY role_code""")
    month = _month(session, "i.local_date")
    pass_rates = text(f"""
        SELECT {month}, count(*), sum(CASE WHEN a.passed THEN 1 ELSE 0 END)
        FROM attempts a JOIN inspections i ON i.id = a.inspection_id
        WHERE i.enterprise_id = :e AND a.status = 'final' AND a.id NOT IN ({SUPERSEDED})
        GROUP BY {month} ORDER BY 1""")
    wrong = text(f"""
        SELECT question_id, sum(CASE WHEN fraction < 1 THEN 1 ELSE 0 END), count(*) FROM attempt_items
        WHERE enterprise_id = :e AND attempt_id NOT IN ({SUPERSEDED}) GROUP BY question_id
        HAVING sum(CASE WHEN fraction < 1 THEN 1 ELSE 0 END) > 0 ORDER BY 2 DESC, 1 LIMIT :page""")

    def figures(enterprise_id: int) -> tuple:
        parameters = {"e": enterprise_id}
        return (session.execute(by_topic, parameters).all(), session.execute(by_top_topic, parameters).all(),
                session.execute(by_role, parameters).all(), session.execute(pass_rates, parameters).all(),
                session.execute(wrong, {**parameters, "page": 20}).all())
    return figures


def enterprise_review(session: Session, page_size: int) -> Callable[[int], object]:
    """What the review's three pages compute for one enterprise, with the functions their views call."""
    from quizapp.analytics.enterprise import most_missed_questions, overview, topic_accuracy, wrong_answers
    from quizapp.exam.inspections import local_today
    from quizapp.extensions import db

    def figures(enterprise_id: int) -> tuple:
        page = db.paginate(most_missed_questions(session, enterprise_id), page=1, per_page=page_size, error_out=False)
        return (overview(session, enterprise_id, local_today()), topic_accuracy(session, enterprise_id),
                wrong_answers(session, enterprise_id, list(page.items)))
    return figures


# The city dashboard

REPLACED = "SELECT corrects_id FROM attempts WHERE corrects_id IS NOT NULL AND status = 'final'"


def _in_force(session: Session, column: str) -> str:
    """``column`` not among the replaced results: read once (corrections are rare), no condition when none."""
    replaced = list(session.scalars(text(REPLACED)))
    return f"{column} NOT IN ({', '.join(str(int(ident)) for ident in replaced)})" if replaced else "1 = 1"


def dashboard_reference(session: Session, start, end) -> Callable[[], object]:
    """Hand-written SQL for the dashboard's figures over the whole city, summed by county, industry, role, month."""
    month = _month(session, "i.local_date")
    dates = (bindparam("start", type_=Date), bindparam("end", type_=Date))

    def queries() -> dict:
        """Built in the timed run: the replaced results are read as part of it, as the app does."""
        exams_from = f"""FROM attempts a JOIN inspections i ON i.id = a.inspection_id
                         JOIN workers w ON w.id = a.worker_id
                         WHERE a.status = 'final' AND {_in_force(session, "a.id")}
                         AND i.local_date BETWEEN :start AND :end"""
        return {name: text(sql).bindparams(*dates) for name, sql in {
            "inspections": f"""SELECT i.enterprise_id, {month}, count(*) FROM inspections i
                               WHERE i.local_date BETWEEN :start AND :end GROUP BY i.enterprise_id, {month}""",
            "exams": f"""SELECT i.enterprise_id, w.role_code, {month}, count(*),
                         sum(CASE WHEN a.passed THEN 1 ELSE 0 END)
                         {exams_from} GROUP BY i.enterprise_id, w.role_code, {month}""",
            "staff": f"""SELECT i.enterprise_id, w.role_code, count(DISTINCT a.worker_id),
                         count(DISTINCT a.inspection_id)
                         {exams_from} GROUP BY i.enterprise_id, w.role_code""",
            "certificates": """SELECT i.enterprise_id, w.role_code, count(*) FROM findings f
                               JOIN inspections i ON i.id = f.inspection_id JOIN workers w ON w.id = f.worker_id
                               WHERE substr(f.kind, 1, 12) = 'certificate_' AND i.local_date BETWEEN :start AND :end
                               GROUP BY i.enterprise_id, w.role_code""",
            "drills": f"""SELECT i.enterprise_id, {month}, count(*), sum(CASE WHEN d.passed THEN 1 ELSE 0 END)
                          FROM drill_runs d JOIN inspections i ON i.id = d.inspection_id
                          WHERE d.status = 'finished' AND i.local_date BETWEEN :start AND :end
                          GROUP BY i.enterprise_id, {month}""",
            "topics": f"""SELECT ai.enterprise_id, ai.role_code, vt.topic_id, count(*), sum(ai.fraction)
                          FROM attempt_items ai JOIN question_version_topics vt ON vt.version_id = ai.version_id
                          WHERE {_in_force(session, "ai.attempt_id")} AND ai.answered_on BETWEEN :start AND :end
                          GROUP BY ai.enterprise_id, ai.role_code, vt.topic_id"""}.items()}

    places = text("SELECT id, county, industry_codes FROM enterprises")

    def figures() -> dict:
        import json

        groups = {}
        for enterprise_id, county, industries in session.execute(places):
            industries = json.loads(industries) if isinstance(industries, str) else industries
            groups[enterprise_id] = ["total", f"county:{county}", *(f"industry:{code}" for code in industries)]
        counts: dict[str, list[float]] = defaultdict(lambda: [0.0] * 8)  # group → the figures' counts
        topics: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0, 0.0])

        def add(keys, index, *values):
            for key in keys:
                for offset, value in enumerate(values):
                    counts[key][index + offset] += value

        parameters, sql = {"start": start, "end": end}, queries()
        for enterprise_id, period, count in session.execute(sql["inspections"], parameters):
            add([*groups[enterprise_id], f"month:{period}"], 0, count)
        for enterprise_id, role, period, count, passed in session.execute(sql["exams"], parameters):
            add([*groups[enterprise_id], f"role:{role}", f"month:{period}"], 1, count, passed)
        for enterprise_id, role, staff, inspections in session.execute(sql["staff"], parameters):
            add(groups[enterprise_id], 3, staff)
            add([f"role:{role}"], 3, staff)
            add([f"role:{role}"], 0, inspections)
        for enterprise_id, role, count in session.execute(sql["certificates"], parameters):
            add([*groups[enterprise_id], f"role:{role}"], 4, count)
        for enterprise_id, period, count, passed in session.execute(sql["drills"], parameters):
            add([*groups[enterprise_id], f"month:{period}"], 5, count, passed)
        for enterprise_id, role, topic, answers, points in session.execute(sql["topics"], parameters):
            for key in (*groups[enterprise_id], f"role:{role}"):
                tally = topics[key, topic]
                tally[0] += answers
                tally[1] += points
        return {"counts": dict(counts), "topics": dict(topics)}
    return figures


# Item statistics

def item_stats_reference(session: Session) -> Callable[[], dict[int, tuple]]:
    """Facility and item–rest correlation per question: the sums in one SQL query, the division in Python."""
    def sums():
        return text(f"""
        SELECT question_id, count(*), sum(x), sum(x * x), sum(rest), sum(rest * rest), sum(x * rest) FROM (
            SELECT ai.question_id, ai.fraction AS x,
                   sum(ai.fraction) OVER (PARTITION BY ai.attempt_id) - ai.fraction AS rest
            FROM attempt_items ai JOIN attempts a ON a.id = ai.attempt_id
            WHERE a.status = 'final' AND {_in_force(session, "a.id")}) items
        GROUP BY question_id""")

    def figures() -> dict[int, tuple]:
        result = {}
        for question_id, n, sx, sxx, sr, srr, sxr in session.execute(sums()):
            correlation = None
            if n > 1:
                vx, vr = (sxx - sx * sx / n) / (n - 1), (srr - sr * sr / n) / (n - 1)
                if vx > 1e-12 and vr > 1e-12:
                    correlation = 100 * (sxr - sx * sr / n) / (n - 1) / math.sqrt(vx * vr)
            result[question_id] = (n, sx / n, correlation)
        return result
    return figures


def measure(session: Session, runs: int, page_size: int = 20) -> dict[str, dict]:
    """The three analytics figures and their ratios, medians of ``runs`` runs, on the data already in ``session``."""
    from quizapp.analytics.dashboard import DashboardFilter, build_dashboard
    from quizapp.analytics.items import bank_statistics
    from quizapp.exam.inspections import local_today

    results: dict[str, dict] = {}

    def add(name: str, value: float, baseline: float, unit: str, scale: float) -> None:
        ratio = round(value / baseline, 2)
        digits = 3 if unit == "s" else 1
        results[name] = {"value": round(value * scale, digits), "unit": unit,
                         "baseline": round(baseline * scale, digits), "ratio": ratio}
        results[name.rsplit("_", 1)[0] + "_ratio"] = {"value": ratio, "unit": "x"}

    def fresh(action: Callable[[], object]) -> Callable[[int], object]:
        """A run as a request sees it: a new session state, nothing cached in the identity map."""
        def run(_: int) -> object:
            session.expire_all()
            return action()
        return run

    enterprise_ids = list(session.scalars(text("SELECT id FROM enterprises ORDER BY id")))
    step = max(1, len(enterprise_ids) // ENTERPRISES_MEASURED)
    chosen = enterprise_ids[::step][:ENTERPRISES_MEASURED]
    review, reference = enterprise_review(session, page_size), enterprise_reference(session)
    for action in (review, reference):  # warm the caches once, untimed, before the timed rounds
        action(chosen[0])
    rounds = max(runs, len(chosen))
    value = _median(rounds, lambda run: (session.expire_all(), review(chosen[run % len(chosen)])))
    baseline = _median(rounds, lambda run: reference(chosen[run % len(chosen)]))
    add("enterprise_review_ms", value, baseline, "ms", 1000)

    filters = DashboardFilter.last_twelve_months(local_today())
    dashboard = dashboard_reference(session, filters.start, filters.end)
    build_dashboard(session, filters)
    dashboard()
    value = _median(runs, fresh(lambda: build_dashboard(session, filters)))
    baseline = _median(runs, lambda _: dashboard())
    add("city_dashboard_ms", value, baseline, "ms", 1000)

    items = item_stats_reference(session)
    value = _median(runs, fresh(lambda: bank_statistics(session)))
    baseline = _median(runs, lambda _: items())
    add("item_stats_bank_s", value, baseline, "s", 1)
    return results


def analytics_benchmarks(runs: int, database_url: str | None, folder: Path) -> dict[str, dict]:
    """Build the demo city in ``folder`` (or at ``database_url``) and measure the analytics on it."""
    from quizapp import create_app
    from quizapp.extensions import db

    url = database_url or f"sqlite:///{folder / 'city.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "INSTANCE_PATH": str(folder / "instance")})
    with app.app_context():
        db.drop_all()
        db.create_all()
        built = build_city(db.session, app.config["QUIZAPP_ID_HASH_KEY"].encode())
        results = {"city_build_s": {"value": round(built, 1), "unit": "s"}}
        results.update(measure(db.session, runs, app.config["QUIZAPP_PAGE_SIZE"]))
        db.session.remove()
        if database_url:
            db.drop_all()
    return results
