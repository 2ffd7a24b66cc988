"""Benchmarks: `python tests/perf/run.py [--quick] [--json]`.

Prints a table for people, or with --json one object whose keys are benchmark names, each
{"value", "unit"} plus "baseline" and "ratio" where it compares with a bare reference measured in the
same run. Timings are the best of several runs (one with --quick). Not collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.perf.bankgen import generate_bank  # noqa: E402

QUESTIONS = 10_000


def best_of(repeat: int, action: Callable[[], object], prepare: Callable[[], object] | None = None) -> float:
    """The fastest of ``repeat`` timed runs of ``action``; ``prepare`` runs untimed before each."""
    times = []
    for _ in range(repeat):
        if prepare:
            prepare()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def bank_benchmarks(repeat: int, database_url: str | None) -> dict[str, dict]:
    import yaml

    from quizapp import create_app
    from quizapp.bank.importer import import_bank
    from quizapp.bank.validate import load_bank, question_files
    from quizapp.extensions import db

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as folder:
        bank_path = generate_bank(Path(folder) / "bank", QUESTIONS)
        files = question_files(bank_path)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        def bare_parse():
            for file in files:
                with open(file, encoding="utf-8") as stream:
                    yaml.load(stream, Loader=loader)

        baseline = best_of(repeat, bare_parse)
        value = best_of(repeat, lambda: load_bank(bank_path))
        results["bank_validate_10k_s"] = {"value": round(value, 3), "unit": "s", "baseline": round(baseline, 3),
                                          "ratio": round(value / baseline, 2)}

        url = database_url or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                          "INSTANCE_PATH": str(Path(folder) / "instance")})
        with app.app_context():
            def fresh_schema():
                db.session.remove()
                db.drop_all()
                db.create_all()

            def import_all():
                import_bank(db.session, load_bank(bank_path, db.session))
                db.session.commit()

            results["bank_import_10k_s"] = {"value": round(best_of(repeat, import_all, fresh_schema), 3), "unit": "s"}
            results["bank_reimport_10k_s"] = {"value": round(best_of(repeat, import_all), 3), "unit": "s"}
            db.session.remove()
            db.drop_all()
    return results


def _median_ms(action: Callable[[object], object], runs: int,
              prepare: Callable[[int], object] = lambda run: run) -> float:
    """Median ms of ``action(prepare(run))`` over ``runs`` runs; ``prepare`` is not timed."""
    times = []
    for run in range(runs):
        prepared = prepare(run)
        start = time.perf_counter()
        action(prepared)
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 2)


def _measure_exam(size: int, folder: Path, runs: int, database_url: str | None) -> tuple[float, float]:
    """Median ms to draw a paper from a ``size``-question bank, and to submit and score one attempt."""
    from quizapp import create_app
    from quizapp.bank.importer import import_bank
    from quizapp.bank.validate import load_bank
    from quizapp.exam.attempts import start_attempt, submit_attempt
    from quizapp.exam.blueprint import DEFAULT_BLUEPRINT
    from quizapp.exam.inspections import check_in
    from quizapp.exam.pool import draw_paper
    from quizapp.extensions import db
    from quizapp.models import Enterprise, User, Worker

    bank_path = generate_bank(folder / f"bank{size}", size)
    url = database_url or f"sqlite:///{folder / f'exam{size}.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "INSTANCE_PATH": str(folder / "instance")})
    with app.app_context():
        db.drop_all()
        db.create_all()
        import_bank(db.session, load_bank(bank_path, db.session))
        enterprise = Enterprise(credit_code="91371300MA3C8H1X2P", name="基准企业", industry_codes=["metallurgy"])
        inspector = User(username="bench", role="inspector", password_hash="x")
        db.session.add_all([enterprise, inspector])
        db.session.flush()
        inspection = check_in(db.session, enterprise, inspector)
        db.session.commit()

        def draw(seed: int) -> None:
            draw_paper(db.session, "worker", ["metallurgy"], DEFAULT_BLUEPRINT, seed)

        def start(run: int):
            worker = Worker(enterprise=enterprise, name=f"工人{run}", role_code="worker")
            db.session.add(worker)
            attempt = start_attempt(db.session, client_id=str(uuid.uuid4()), inspection=inspection, worker=worker,
                                    examiner=inspector, blueprint=DEFAULT_BLUEPRINT)
            db.session.commit()
            return attempt

        def submit(attempt) -> None:
            submit_attempt(db.session, attempt, submission_id=str(uuid.uuid4()), responses=[None] * len(attempt.items))
            db.session.commit()

        result = _median_ms(draw, runs), _median_ms(submit, runs, start)
        db.session.remove()
        db.drop_all()
    return result


def exam_benchmarks(runs: int, database_url: str | None) -> dict[str, dict]:
    """Drawing a paper from 1,000 and from 100,000 questions; submitting and scoring one attempt."""
    with tempfile.TemporaryDirectory() as folder:
        small, _ = _measure_exam(1_000, Path(folder), runs, database_url)
        large, submit = _measure_exam(100_000, Path(folder), runs, database_url)
    growth = round(large / small, 2)
    return {
        "assemble_100k_ms": {"value": large, "unit": "ms", "baseline": small, "ratio": growth},
        "assemble_growth_ratio": {"value": growth, "unit": "x"},
        "submit_score_ms": {"value": submit, "unit": "ms"},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run of each benchmark instead of three")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--database",
                        help="SQLAlchemy URL for the import benchmarks (default: a temporary SQLite file)")
    args = parser.parse_args()
    results = bank_benchmarks(1 if args.quick else 3, args.database)
    results.update(exam_benchmarks(5 if args.quick else 21, args.database))
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'benchmark':<28} {'value':>10}  {'baseline':>10}  {'ratio':>6}")
    for name, result in results.items():
        baseline = f"{result['baseline']:>10}" if "baseline" in result else " " * 10
        ratio = f"{result['ratio']:>6}" if "ratio" in result else ""
        print(f"{name:<28} {result['value']:>8} {result['unit']}  {baseline}  {ratio}")


if __name__ == "__main__":
    main()
