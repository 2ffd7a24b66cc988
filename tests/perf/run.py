"""Benchmarks: `python tests/perf/run.py [--quick] [--json]`.

Prints a table for people, or with --json one object whose keys are benchmark names, each
{"value", "unit"} plus "baseline" and "ratio" where it compares with a bare reference measured in the
same run. Timings are the best of several runs (one with --quick). Not collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run of each benchmark instead of three")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--database",
                        help="SQLAlchemy URL for the import benchmarks (default: a temporary SQLite file)")
    args = parser.parse_args()
    results = bank_benchmarks(1 if args.quick else 3, args.database)
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
