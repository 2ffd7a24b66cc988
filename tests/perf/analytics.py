"""Analytics benchmarks on the demo's city-scale data (a year of a city's inspections, about a million answers).

Each figure is the median of ``runs`` runs of what a page computes, with the same functions its view calls, and its
ratio against hand-written SQL (and plain Python sums) for the same figures, measured in the same run:

- ``enterprise_review_ms``: the review's three pages for one enterprise (overview, accuracy per topic and role,
  the first page of the wrong-answer book), a few enterprises in turn. Its reference fetches the same figures
  with hand-written SQL: accuracy per topic and role with counts, pass rates per month, the inspections with their
  counts, each worker's latest result, re-exams due, findings to rectify with their sources, and the first page of
  missed questions with their versions and legal basis.
- ``city_dashboard_ms``: the bureau dashboard for the whole city over the default range (the last twelve months).
- ``item_stats_bank_s``: item statistics of the whole bank: facility, SD, discrimination and discriminative
  efficiency per question, the versions asked, and Cronbach's α per blueprint; the reference gathers the same
  sums in three SQL queries (window sums per attempt) and does the arithmetic in plain Python.
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
    """Hand-written SQL for what the review's three pages show of an enterprise: accuracy per topic and role, pass
    rates per month, inspections, latest results, re-exams due, findings to rectify, and the wrong-answer book's
    first page."""
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

    # The rest of what the three pages show: inspections with their counts, each worker's latest result, re-exams
    # due, findings to rectify with their legal sources, and the wrong-answer page's questions with their basis.
    inspections = text(f"""
        SELECT i.id, i.local_date, i.kind,
               (SELECT count(*) FROM attempts a WHERE a.inspection_id = i.id AND a.status = 'final'
                AND a.id NOT IN ({SUPERSEDED})),
               (SELECT count(*) FROM attempts a WHERE a.inspection_id = i.id AND a.status = 'final' AND a.passed
                AND a.id NOT IN ({SUPERSEDED})),
               (SELECT count(*) FROM findings f WHERE f.inspection_id = i.id
                AND (f.attempt_id IS NULL OR f.attempt_id NOT IN ({SUPERSEDED})))
        FROM inspections i WHERE i.enterprise_id = :e ORDER BY i.local_date DESC, i.opened_at DESC""")
    latest = text(f"""
        SELECT w.name, w.role_code, r.local_date, r.score, r.passed FROM (
            SELECT a.worker_id, i.local_date, a.score, a.passed,
                   row_number() OVER (PARTITION BY a.worker_id ORDER BY i.local_date DESC, a.submitted_at DESC) AS n
            FROM attempts a JOIN inspections i ON i.id = a.inspection_id
            WHERE i.enterprise_id = :e AND a.status = 'final' AND a.id NOT IN ({SUPERSEDED})) r
        JOIN workers w ON w.id = r.worker_id WHERE r.n = 1 ORDER BY w.name""")
    reexams = text(f"""
        SELECT w.name, w.role_code, i.local_date, f.due_on FROM findings f
        JOIN attempts a ON a.id = f.attempt_id JOIN inspections i ON i.id = f.inspection_id
        JOIN workers w ON w.id = a.worker_id
        WHERE i.enterprise_id = :e AND f.kind = 'failed_exam' AND f.attempt_id NOT IN ({SUPERSEDED})
        AND NOT EXISTS (SELECT 1 FROM attempts p JOIN inspections pi ON pi.id = p.inspection_id
                        WHERE p.worker_id = a.worker_id AND p.passed AND p.status = 'final'
                        AND p.submitted_at > a.submitted_at AND pi.enterprise_id = :e)
        ORDER BY f.due_on, w.name""")
    findings = text("""
        SELECT f.kind, f.detail, f.due_on, f.basis, f.rectified_at, f.verified_at, w.name, i.local_date
        FROM findings f JOIN inspections i ON i.id = f.inspection_id LEFT JOIN workers w ON w.id = f.worker_id
        WHERE i.enterprise_id = :e AND f.kind != 'failed_exam' AND f.verified_at IS NULL ORDER BY f.due_on, f.id""")
    sources = text("SELECT code, short_name, name, kind FROM legal_sources")
    missed_count = text(f"""
        SELECT count(*) FROM (SELECT question_id FROM attempt_items WHERE enterprise_id = :e
        AND attempt_id NOT IN ({SUPERSEDED}) GROUP BY question_id HAVING sum(CASE WHEN fraction < 1 THEN 1 ELSE 0 END)
        > 0) missed""")
    versions = text("""
        SELECT q.code, v.id, v.stem, v.options, v.answer, v.explanation FROM question_versions v
        JOIN questions q ON q.id = v.question_id
        WHERE v.question_id IN :questions AND v.number = q.current_number""").bindparams(
        bindparam("questions", expanding=True))
    basis = text("""SELECT b.version_id, s.short_name, b.article FROM question_basis b
                    JOIN legal_sources s ON s.id = b.source_id WHERE b.version_id IN :versions
                    ORDER BY b.version_id, b.position""").bindparams(bindparam("versions", expanding=True))

    def figures(enterprise_id: int) -> tuple:
        parameters = {"e": enterprise_id}
        page = session.execute(wrong, {**parameters, "page": 20}).all()
        entries = session.execute(versions, {"questions": [row[0] for row in page] or [0]}).all()
        return (session.execute(by_topic, parameters).all(), session.execute(by_top_topic, parameters).all(),
                session.execute(by_role, parameters).all(), session.execute(pass_rates, parameters).all(),
                session.execute(inspections, parameters).all(), session.execute(latest, parameters).all(),
                session.execute(reexams, parameters).all(), session.execute(findings, parameters).all(),
                session.execute(sources).all(), session.execute(missed_count, parameters).scalar(), page, entries,
                session.execute(basis, {"versions": [row[1] for row in entries] or [0]}).all())
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

def _largest_cross_product(first: dict[float, int], second: dict[float, int]) -> float:
    """Σ of the p-th smallest of one distribution times the p-th smallest of the other (value → count)."""
    left = sorted((value, count) for value, count in second.items())
    total, index, remaining = 0.0, 0, left[0][1]
    for value, count in sorted(first.items()):
        while count:
            step = min(count, remaining)
            total += step * value * left[index][0]
            count, remaining = count - step, remaining - step
            if not remaining and index + 1 < len(left):
                index += 1
                remaining = left[index][1]
    return total


def item_stats_reference(session: Session) -> Callable[[], tuple[dict, dict]]:
    """Every figure of the item statistics by hand: per question the answers grouped by (x, X) from window sums
    (facility, SD, discrimination, and the distributions discriminative efficiency needs), the versions asked,
    and per blueprint and position the sums Cronbach's α needs; the arithmetic in plain Python."""
    name = "attempts.blueprint->>'name'" if session.get_bind().dialect.name == "postgresql" \
        else "json_extract(attempts.blueprint, '$.name')"
    answers = f"""WITH answers AS (
        SELECT attempt_id, position, question_id, fraction AS x, sum(fraction) OVER (PARTITION BY attempt_id) AS t,
               count(*) OVER (PARTITION BY attempt_id) AS k
        FROM attempt_items WHERE {_in_force(session, "attempt_id")})"""
    pairs = text(f"{answers} SELECT question_id, x, t - x, count(*) FROM answers GROUP BY question_id, x, t - x")
    versions = text(f"""SELECT question_id, count(DISTINCT version_id) FROM attempt_items
                        WHERE {_in_force(session, "attempt_id")} GROUP BY question_id""")
    positions = text(f"""{answers}, names AS (SELECT id, coalesce({name}, '') AS name FROM attempts
                                           WHERE status = 'final')
        SELECT names.name, k, position, count(*), sum(x), sum(x * x), sum(CASE WHEN position = 0 THEN t ELSE 0 END),
               sum(CASE WHEN position = 0 THEN t * t ELSE 0 END)
        FROM answers JOIN names ON names.id = answers.attempt_id GROUP BY names.name, k, position""")

    def figures() -> tuple[dict, dict]:
        sums: dict[int, list] = defaultdict(lambda: [0, 0.0, 0.0, 0.0, 0.0, 0.0, defaultdict(int), defaultdict(int)])
        for question_id, x, rest, count in session.execute(pairs):
            rest = round(rest, 6)
            item = sums[question_id]
            for index, value in enumerate((count, count * x, count * x * x, count * rest, count * rest * rest,
                                           count * x * rest)):
                item[index] += value
            item[6][x] += count
            item[7][rest] += count
        asked = dict(session.execute(versions).all())
        items = {}
        for question_id, (n, sx, sxx, sr, srr, sxr, xs, rests) in sums.items():
            facility, correlation, efficiency = sx / n, None, None
            if n > 1:
                vx, vr = (sxx - sx * sx / n) / (n - 1), (srr - sr * sr / n) / (n - 1)
                cxr = (sxr - sx * sr / n) / (n - 1)
                if vx > 1e-12 and vr > 1e-12:
                    correlation = 100 * cxr / math.sqrt(vx * vr)
                largest = (_largest_cross_product(xs, rests) - sx * sr / n) / (n - 1)
                if largest > 1e-12:
                    efficiency = 100 * cxr / largest
            items[question_id] = (n, asked[question_id], facility, correlation, efficiency)
        papers: dict[tuple, list] = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
        for blueprint, k, position, n, sx, sxx, st, stt in session.execute(positions):
            paper = papers[blueprint, k]
            paper[3] += (sxx - sx * sx / n) / (n - 1) if n > 1 else 0.0
            if position == 0:
                paper[:3] = [n, st, stt]
        alphas = {key: k / (k - 1) * (1 - item_variances / ((stt - st * st / n) / (n - 1)))
                  for key, (n, st, stt, item_variances) in papers.items()
                  if (k := key[1]) > 1 and n > 1 and (stt - st * st / n) > 1e-12}
        return items, alphas
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
