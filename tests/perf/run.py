"""Benchmarks: `python tests/perf/run.py [--quick] [--json]`.

Prints a table for people, or with --json one object whose keys are benchmark names, each
{"value", "unit"} plus "baseline" and "ratio" where it compares with a bare reference measured in the
same run. Timings are the best of several runs (one with --quick). Not collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from io import BytesIO
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


PACK_STAFF = {"worker": 16, "team-leader": 6, "special-operator": 5, "safety-manager": 3}


def pack_benchmarks(runs: int, database_url: str | None) -> dict[str, dict]:
    """An inspection pack for an enterprise of 30 staff in 4 roles, from the bundled bank, as the inspector
    waits for it: ``POST /api/packs`` through the app (password check, drawing, screens, JSON), median of
    ``runs``; and the size of what the tablet downloads."""
    from quizapp import create_app
    from quizapp.bank.importer import import_bank
    from quizapp.bank.validate import load_bank
    from quizapp.extensions import db
    from quizapp.models import Enterprise, User, Worker

    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'packs.sqlite'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                          "RATELIMIT_ENABLED": False, "INSTANCE_PATH": str(Path(folder) / "instance")})
        with app.app_context():
            db.drop_all()
            db.create_all()
            import_bank(db.session, load_bank(REPO / "question_bank", db.session))
            enterprise = Enterprise(credit_code="91371300MA3C8H1X2P", name="基准企业", industry_codes=["machinery"])
            enterprise.workers = [Worker(name=f"{role}{number}", role_code=role, post="车间")
                                  for role, people in PACK_STAFF.items() for number in range(people)]
            inspector = User(username="bench", role="inspector")
            inspector.set_password("bench password")
            db.session.add_all([enterprise, inspector])
            db.session.commit()
            client = app.test_client()
            client.post("/login", data={"username": "bench", "password": "bench password"})
            body = {"enterprises": [enterprise.qr_token], "password": "bench password"}
            sizes = []

            def download(_run: int) -> None:
                response = client.post("/api/packs", json=body)
                assert response.status_code == 200, response.data[:200]
                sizes.append(len(response.data))

            value = _median_ms(download, runs)
            db.session.remove()
            db.drop_all()
    return {"pack_30_staff_ms": {"value": value, "unit": "ms"},
            "pack_30_staff_mb": {"value": round(statistics.median(sizes) / 1e6, 2), "unit": "MB"}}


PAPERS = 100
ITEM_TYPES = ("single",) * 5 + ("multiple",) * 3 + ("judge",) * 2 + ("fill", "oral")  # 12 items
WORK = ("动火作业", "有限空间作业", "高处作业", "临时用电作业", "吊装作业", "危险化学品装卸", "粉尘清扫", "液氨充装")
MEASURES = ("办理作业审批手续", "进行气体检测并记录", "设置专人监护", "配备合格的个体防护用品", "清理作业现场可燃物",
            "切断并隔离危险能源", "对作业人员进行安全交底", "制定应急处置措施并配备救援器材")


def _bench_sheets(count: int) -> list:
    """``count`` different 12-question papers with plausible Chinese stems, four options each where asked."""
    from quizapp.pdf.sheets import Sheet, SheetHeader, SheetItem

    rng = random.Random(11)
    sheets = []
    for paper in range(count):
        items = []
        for number, kind in enumerate(ITEM_TYPES, start=1):
            work = rng.choice(WORK)
            stem = (f"根据《中华人民共和国安全生产法》和《危险化学品企业特殊作业安全规范》的规定，第{paper}号试卷："
                    f"{work}开始前，作业单位应当对作业现场和作业过程中可能存在的危险有害因素进行辨识，"
                    f"关于{work}，下列说法正确的是（  ）。")
            options = ()
            if kind in ("single", "multiple"):
                options = tuple(f"{work}前应当{measure}" for measure in rng.sample(MEASURES, 4))
            elif kind == "judge":
                stem = f"{work}时，作业人员可以凭经验判断，不必{rng.choice(MEASURES)}。"
            elif kind == "fill":
                stem = f"特种作业操作证有效期为___年，{work}人员每___年复审一次。"
            items.append(SheetItem(number=number, type=kind, stem=stem, options=options))
        header = SheetHeader(title="逢查必考 现场考试卷", enterprise=f"临沂某某新材料科技有限公司第{paper}分公司",
                             inspection=f"20240501-{paper:04d}", worker=f"工人{paper}", role="一线从业人员",
                             post="熔铸车间操作工", date="2024-05-01", inspector="李四",
                             sheet_id=uuid.UUID(int=rng.getrandbits(128)).hex[:8].upper(),
                             url=f"https://quiz.example.gov.cn/s/{uuid.UUID(int=rng.getrandbits(128)).hex}")
        sheets.append(Sheet(header, tuple(items)))
    return sheets


def _bare_sheets_pdf(sheets: list, font: str) -> bytes:
    """The reference: every text of the sheets as one canvas.drawString line, and the same vector QR codes."""
    from qrcode.constants import ERROR_CORRECT_M
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from quizapp.pdf.layout import draw_qr_code

    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=font)
    for sheet in sheets:
        header = sheet.header
        draw_qr_code(canvas, header.url, A4[0] - 46 * mm, A4[1] - 43 * mm, 28 * mm, ERROR_CORRECT_M)
        texts = [header.title, header.enterprise, header.inspection, header.worker, header.role, header.post,
                 header.date, header.inspector]
        for item in sheet.items:
            texts += [item.stem, *item.options]
        y = A4[1] - 20 * mm
        canvas.setFont(font, 10.5)
        for text in texts:
            if y < 20 * mm:
                canvas.showPage()
                canvas.setFont(font, 10.5)
                y = A4[1] - 20 * mm
            canvas.drawString(18 * mm, y, text)
            y -= 15
        canvas.drawString(18 * mm, 10 * mm, header.sheet_id)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def pdf_benchmarks(repeat: int) -> dict[str, dict]:
    """100 different 12-question paper sheets with their QR codes in one PDF, against bare canvas drawing."""
    from quizapp.pdf.fonts import cjk_font
    from quizapp.pdf.sheets import quiz_sheets_pdf

    font = cjk_font(None)  # registered once, outside the timing, as in a running server
    sheets = _bench_sheets(PAPERS)
    baseline = best_of(repeat, lambda: _bare_sheets_pdf(sheets, font))
    value = best_of(repeat, lambda: quiz_sheets_pdf(sheets, font))
    ratio = round(value / baseline, 2)
    return {"pdf_100_papers_s": {"value": round(value, 3), "unit": "s", "baseline": round(baseline, 3),
                                 "ratio": ratio},
            "pdf_100_papers_ratio": {"value": ratio, "unit": "x"}}


def analytics_benchmarks(runs: int, database_url: str | None) -> dict[str, dict]:
    """The enterprise review, the city dashboard and the bank's item statistics on the demo's city-scale data,
    medians of ``runs`` runs against hand-written SQL (see tests/perf/analytics.py). Building the city takes a
    minute or two."""
    from tests.perf.analytics import analytics_benchmarks as measure_city

    with tempfile.TemporaryDirectory() as folder:
        return measure_city(runs, database_url, Path(folder))


def load_benchmarks(quick: bool, database_url: str | None, workers: int | None = None) -> dict[str, dict]:
    """The quiz flow's submits under gunicorn, driven by 32 simulated tablets, against a bare Flask app under
    the same settings (see tests/perf/load.py): 15 s each after a 3 s warm-up, with --quick 5 s after 1 s."""
    from tests.perf.load import run_load

    with tempfile.TemporaryDirectory() as folder:
        return run_load(database_url, Path(folder), workers=workers, warmup=1 if quick else 3,
                        duration=5 if quick else 15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run of each benchmark instead of three")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--database",
                        help="SQLAlchemy URL for the database benchmarks (default: a temporary SQLite file)")
    parser.add_argument("--no-city", action="store_true",
                        help="skip the analytics benchmarks on the demo city's data (they take minutes)")
    parser.add_argument("--only-city", action="store_true", help="run the analytics benchmarks only")
    parser.add_argument("--no-load", action="store_true", help="skip the load benchmark under gunicorn")
    parser.add_argument("--only-load", action="store_true", help="run the load benchmark only")
    parser.add_argument("--workers", type=int, help="gunicorn workers for the load benchmark (default 2 × cores)")
    args = parser.parse_args()
    everything = not (args.only_city or args.only_load)
    results: dict[str, dict] = {}
    if everything:
        results.update(bank_benchmarks(1 if args.quick else 3, args.database))
        results.update(exam_benchmarks(5 if args.quick else 21, args.database))
        results.update(pack_benchmarks(3 if args.quick else 7, args.database))
        results.update(pdf_benchmarks(1 if args.quick else 3))
    if args.only_city or (everything and not args.no_city):
        results.update(analytics_benchmarks(3 if args.quick else 7, args.database))
    if args.only_load or (everything and not args.no_load):
        results.update(load_benchmarks(args.quick, args.database, args.workers))
    if args.json:
        print(json.dumps(results, indent=2))
        return
    _print_table(results)


def _print_table(results: dict[str, dict]) -> None:
    print(f"{'benchmark':<28} {'value':>10}  {'baseline':>10}  {'ratio':>6}")
    for name, result in results.items():
        baseline = f"{result['baseline']:>10}" if "baseline" in result else " " * 10
        ratio = f"{result['ratio']:>6}" if "ratio" in result else ""
        print(f"{name:<28} {result['value']:>8} {result['unit']}  {baseline}  {ratio}")


if __name__ == "__main__":
    main()
