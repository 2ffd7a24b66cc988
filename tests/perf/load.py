"""The load benchmark: the app under gunicorn on loopback, driven by many simulated tablets at once.

Each tablet is a thread with its own ``http.client`` connection and session cookie. It signs in through the
``/login`` form as one of a few inspectors and takes the CSRF token from a signed-in page. The papers are drawn
before the servers start (one per worker, by the real engine: a template per role, copied for the other workers
of that role), as on site a paper is drawn minutes before it is handed in; the tablets then submit them
(``POST /api/attempts/<token>/submit``), answered at random as a worker might. Two phases, each a warm-up that
is not measured and then the measured time:

- **capacity**: the tablets submit without pause, so the server is saturated: ``http_submit_rps``;
- **latency**: each tablet waits between submissions (exponentially, as independent people do) so that together
  they offer half the capacity just measured: ``http_submit_p95_ms`` is the 95th percentile at that load. At
  saturation a request mostly waits for the ones ahead of it, and p95 says more about the queue than the app.

The reference is ``tests/perf/bare_app.py`` under the same gunicorn settings, tablets and phases in the same run:
a bare Flask app that does the submit's work by hand (Core SQL on the same tables: read the paper, score it with
the same pure rules, store it, write the answers for statistics and the topic tallies, a finding when failed, one
audit entry, and answer with the right answers and legal basis) without the app's stack around it (sign-in, CSRF,
rate limits, ORM, the audit of every flush). ``http_submit_ratio`` is our capacity over its capacity. The same
bare app's least possible submit (parse, one INSERT, COMMIT) is measured too, for scale: ``http_insert_only_rps``.

Also ``http_errors`` (any non-2xx/3xx answer or connection error, sign-ins included; the run raises when it is
not zero) and ``http_worker_rss_mb`` (the largest VmRSS of a gunicorn worker at the end).

On PostgreSQL (``--database``) the app's workers share the database as production app servers do. Without it,
a temporary SQLite file in WAL mode: readers then do not wait for the writer, but SQLite still takes one write
at a time for the whole file, so the figures show how far a single-machine install carries and the writes'
serialisation, not how several app servers scale. Rate limits are set out of the way for both; they count in
Redis when ``QUIZAPP_REDIS_URL`` is set in the environment (as in production), else in each worker's memory.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import string
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[2]
TARGETS = {"http_submit_ratio": 0.4, "http_submit_p95_ms": 150, "http_errors": 0, "http_worker_rss_mb": 150}
NO_LIMIT = "1000000 per minute"
PASSWORD = "load-benchmark password"
INSPECTORS = 8
INDUSTRIES = ["machinery"]
ROLES = ("worker", "team-leader", "special-operator")
PAPERS_PER_SECOND = 400
"""Papers drawn beforehand per second of each of the four phases (the app's and the bare app's capacity and
latency): the tablets must not run out, each paper is submitted once."""
LATENCY_LOAD = 0.5
"""The latency phase offers this share of the capacity measured."""
ERROR_SAMPLES = 5


class LoadError(RuntimeError):
    """Requests failed during the load benchmark: the figures are not worth reporting."""


@dataclass
class Roster:
    papers: list[tuple[str, list[dict]]]  # (attempt token, its items as the tablet shows them)
    inspectors: list[str]


def prepare_database(url: str, folder: Path, papers: int) -> Roster:
    """Empty the database, create the tables and write the bundled bank, an enterprise with ``papers`` staff, the
    inspectors and their open inspection, and a paper drawn for each worker. A SQLite file is switched to WAL mode."""
    from sqlalchemy import insert, text

    from quizapp import create_app
    from quizapp.bank.importer import import_bank
    from quizapp.bank.validate import load_bank
    from quizapp.exam.attempts import start_attempt
    from quizapp.exam.blueprint import blueprint_for
    from quizapp.exam.inspections import check_in
    from quizapp.exam.papers import items_view
    from quizapp.extensions import db
    from quizapp.models import Attempt, Enterprise, User, Worker
    from quizapp.models.base import utcnow
    from quizapp.models.enterprise import new_public_token

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "load", "INSTANCE_PATH": str(folder / "instance")})
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        bank = load_bank(REPO / "question_bank", db.session)
        if bank.problems:
            raise RuntimeError(f"the bundled bank has problems: {bank.problems[:3]}")
        import_bank(db.session, bank)
        enterprise = Enterprise(credit_code="91371300MA3C8H1X2P", name="压测机械有限公司", industry_codes=INDUSTRIES)
        staff = [Worker(enterprise=enterprise, name=f"工人{number}", role_code=ROLES[number % len(ROLES)])
                 for number in range(papers)]
        inspectors = [User(username=f"load-inspector-{number}", role="inspector") for number in range(INSPECTORS)]
        for inspector in inspectors:
            inspector.set_password(PASSWORD)
        db.session.add_all([enterprise, *staff, *inspectors])
        db.session.flush()
        inspection = None
        for inspector in inspectors:
            inspection = check_in(db.session, enterprise, inspector)
        templates = {role: start_attempt(db.session, client_id=str(uuid.uuid4()), inspection=inspection,
                                         worker=next(worker for worker in staff if worker.role_code == role),
                                         examiner=inspectors[0], blueprint=blueprint_for(db.session, role))
                     for role in ROLES}
        copies = [{"public_token": new_public_token(), "client_id": str(uuid.uuid4()), "inspection_id": inspection.id,
                   "worker_id": worker.id, "examiner_id": inspectors[number % INSPECTORS].id, "mode": "tablet",
                   "blueprint": templates[worker.role_code].blueprint, "seed": templates[worker.role_code].seed,
                   "items": templates[worker.role_code].items, "status": "in_progress", "started_at": utcnow(),
                   "correction_reason": ""}
                  for number, worker in enumerate(staff) if templates[worker.role_code].worker_id != worker.id]
        db.session.execute(insert(Attempt), copies)
        shown = {role: items_view(db.session, template.items) for role, template in templates.items()}
        roles = {worker.id: worker.role_code for worker in staff}
        drawn = [(template.public_token, shown[role]) for role, template in templates.items()]
        drawn += [(copy["public_token"], shown[roles[copy["worker_id"]]]) for copy in copies]
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # fresh tables: plan the queries as production would
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("ANALYZE")
        roster = Roster(drawn, [inspector.username for inspector in inspectors])
        db.session.remove()
        db.engine.dispose()
    return roster


def drop_app_tables(url: str, folder: Path) -> None:
    from quizapp import create_app
    from quizapp.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "load", "INSTANCE_PATH": str(folder / "instance")})
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A gunicorn master with ``workers`` sync workers (its defaults, as the README deploys it) on loopback; its
    control socket in the run's folder, not the one path per user that other gunicorns on the machine share."""

    def __init__(self, app: str, env: dict[str, str], workers: int, log: Path, ready_path: str):
        self.port = free_port()
        self.log = log
        self.ready_path = ready_path
        command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
                   "--pythonpath", str(REPO), "--graceful-timeout", "5", "--error-logfile", str(log), app]
        env = {**os.environ, **env, "XDG_RUNTIME_DIR": str(log.parent)}  # gunicorn ≥ 25.1 puts its control socket there
        self.process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def __enter__(self) -> Server:
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _wait_until_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", self.ready_path)
                if connection.getresponse().status == 200:
                    connection.close()
                    return
                connection.close()
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""

    def worker_rss_mb(self) -> float:
        """The largest resident memory of the master's children (the workers), from /proc."""
        sizes = [_rss_kb(pid) for pid in _children(self.process.pid)]
        if not sizes:
            raise RuntimeError("no gunicorn workers found under the master")
        return round(max(sizes) / 1024, 1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _children(parent: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                children.append(int(entry))
    return children


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


class RequestFailed(Exception):
    """A non-2xx/3xx answer; the message names the request and the start of the body."""


class Tablet:
    """One simulated tablet: a keep-alive connection (reopened when the server closes it) and a cookie jar."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.csrf_token = ""

    def request(self, method: str, path: str, *, payload: object = None, form: dict | None = None) -> bytes:
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())} \
            if self.cookies else {}
        body = None
        if payload is not None:
            body = json.dumps(payload, ensure_ascii=False).encode()
            headers.update({"Content-Type": "application/json", "X-CSRFToken": self.csrf_token})
        elif form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in cookie.lower() or "01 jan 1970" in cookie.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        if not 200 <= response.status < 400:
            raise RequestFailed(f"{method} {path}: {response.status} {data[:200]!r}")
        return data

    def sign_in(self, username: str) -> None:
        """Through the login form as a person would, then the CSRF token of a signed-in page for JSON writes."""
        login_page = self.request("GET", "/login").decode()
        found = CSRF_INPUT.search(login_page)
        self.request("POST", "/login", form={"username": username, "password": PASSWORD,
                                             "csrf_token": found.group(1) if found else ""})
        home = self.request("GET", "/").decode()
        found = CSRF_META.search(home) or CSRF_INPUT.search(home)
        if not found or "session" not in self.cookies:
            raise RequestFailed(f"{username} is not signed in after the login form")
        self.csrf_token = found.group(1)

    def close(self) -> None:
        self.connection.close()


def answer_at_random(items: list[dict], rng: random.Random) -> list:
    """What a worker (and the inspector, for the oral and practical items) might enter for a paper's items."""
    responses: list = []
    for item in items:
        kind = item["type"]
        letters = string.ascii_uppercase[:len(item.get("options", ()))]
        if kind == "single":
            responses.append(rng.choice(letters))
        elif kind == "multiple":
            responses.append(sorted(rng.sample(letters, rng.randint(1, len(letters)))))
        elif kind == "judge":
            responses.append(rng.random() < 0.5)
        elif kind == "fill":
            responses.append(["不知道"] * item["blanks"])
        elif kind == "oral":
            points = range(len(item["key_points"]))
            responses.append({"points": sorted(rng.sample(points, rng.randint(0, len(points))))})
        else:
            responses.append({"steps": [rng.choice(("done", "done", "done", "missed")) for _ in item["steps"]]})
    return responses


@dataclass
class Tally:
    """What the tablets saw: (start, end) of every timed request, and every failure."""

    timed: list[tuple[float, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, started: float, ended: float) -> None:
        with self.lock:
            self.timed.append((started, ended))

    def fail(self, error: Exception) -> None:
        with self.lock:
            self.errors.append(f"{type(error).__name__}: {error}")


@dataclass
class Figures:
    rps: float
    p95_ms: float
    errors: list[str]


def drive(port: int, tablets: int, warmup: float, duration: float, sign_in: Callable[[Tablet, int], None],
          cycle: Callable[[Tablet, random.Random, Tally], bool], think: float = 0) -> Figures:
    """``tablets`` threads sign in, wait for each other, then repeat ``cycle`` until the time is up (or it returns
    False: nothing left to send), each waiting ``think`` seconds on average between cycles.

    Requests that end within the ``duration`` after the ``warmup`` are counted; their latencies give p95.
    """
    tally = Tally()
    clock: dict[str, float] = {}

    def start_clock() -> None:  # signing in is not part of the run
        start = time.perf_counter()
        clock.update(measured=start + warmup, end=start + warmup + duration)

    ready = threading.Barrier(tablets, action=start_clock)

    def run(number: int) -> None:
        tablet = Tablet(port)
        rng = random.Random(number)
        try:
            sign_in(tablet, number)
        except Exception as error:  # counted; the tablet still meets the others at the barrier and stops
            tally.fail(error)
            ready.wait()
            return
        ready.wait()
        while time.perf_counter() < clock["end"]:
            if think:
                time.sleep(min(rng.expovariate(1 / think), max(0.0, clock["end"] - time.perf_counter())))
            try:
                if not cycle(tablet, rng, tally):
                    break
            except Exception as error:
                tally.fail(error)
        tablet.close()

    threads = [threading.Thread(target=run, args=(number,), daemon=True) for number in range(tablets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counted = [(began, ended) for began, ended in tally.timed if clock["measured"] <= ended <= clock["end"]]
    latencies = sorted((ended - began) * 1000 for began, ended in counted)
    p95 = statistics.quantiles(latencies, n=20)[18] if len(latencies) > 1 else float("nan")
    return Figures(round(len(counted) / duration, 1), round(p95, 1), tally.errors)


def timed(tally: Tally, action: Callable[[], bytes]) -> bytes:
    began = time.perf_counter()
    data = action()
    tally.record(began, time.perf_counter())
    return data


@dataclass
class Phases:
    """Capacity (no pause) and latency (at ``LATENCY_LOAD`` of that capacity) of one server."""

    capacity: Figures
    latency: Figures

    @property
    def errors(self) -> list[str]:
        return self.capacity.errors + self.latency.errors


def both_phases(run: Callable[[float], Figures], tablets: int) -> Phases:
    capacity = run(0)
    think = tablets / (LATENCY_LOAD * capacity.rps) if capacity.rps else 1.0
    return Phases(capacity, run(think))


def measure_submits(port: int, papers: Iterator[tuple[str, list[dict]]], prefix: str, tablets: int, warmup: float,
                    duration: float, sign_in: Callable[[Tablet, int], None]) -> tuple[Phases, dict]:
    """The tablets submit the papers drawn beforehand to ``{prefix}/attempts/<token>/submit``, answered at random;
    returns both phases' figures and one submission as sent."""
    next_paper = threading.Lock()
    sample: dict = {}

    def cycle(tablet: Tablet, rng: random.Random, tally: Tally) -> bool:
        with next_paper:
            paper = next(papers, None)
        if paper is None:
            tally.fail(RuntimeError("the papers drawn beforehand ran out: raise PAPERS_PER_SECOND"))
            return False
        token, items = paper
        submission = {"submission_id": str(uuid.uuid4()), "responses": answer_at_random(items, rng)}
        sample.setdefault("submission", submission)
        timed(tally, lambda: tablet.request("POST", f"{prefix}/attempts/{token}/submit", payload=submission))
        return True

    return both_phases(lambda think: drive(port, tablets, warmup, duration, sign_in, cycle, think),
                       tablets), sample.get("submission", {})


def measure_insert(port: int, submission: dict, tablets: int, warmup: float, duration: float) -> Figures:
    """The least a JSON submit can do, at saturation."""
    def cycle(tablet: Tablet, rng: random.Random, tally: Tally) -> bool:
        timed(tally, lambda: tablet.request("POST", "/submit",
                                            payload={**submission, "submission_id": str(uuid.uuid4())}))
        return True

    return drive(port, tablets, warmup, duration, lambda tablet, number: None, cycle)


def run_load(database_url: str | None, folder: Path, *, workers: int | None = None, tablets: int = 32,
             warmup: float = 3, duration: float = 15) -> dict[str, dict]:
    """The app, then the bare apps, on the same database and gunicorn settings; raises LoadError if any request
    failed."""
    from sqlalchemy import create_engine

    from tests.perf.bare_app import metadata as bare_metadata

    workers = workers or 2 * (os.cpu_count() or 1)
    url = database_url or f"sqlite:///{folder / 'load.sqlite'}"
    roster = prepare_database(url, folder, PAPERS_PER_SECOND * int(4 * (warmup + duration) + 1))
    papers = iter(roster.papers)  # the app's phases take the first ones, the bare app's phases the rest
    limits = {"QUIZAPP_RATE_LIMIT": NO_LIMIT, "QUIZAPP_ACCOUNT_WRITE_LIMIT": NO_LIMIT, "QUIZAPP_LOGIN_LIMIT": NO_LIMIT}
    app_env = {"DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(32), **limits}
    bare_engine = create_engine(url)

    def sign_in(tablet: Tablet, number: int) -> None:
        tablet.sign_in(roster.inspectors[number % len(roster.inspectors)])

    try:
        with Server("quizapp:create_app()", app_env, workers, folder / "app.log", "/login") as server:
            app, submission = measure_submits(server.port, papers, "/api", tablets, warmup, duration, sign_in)
            app_rss = server.worker_rss_mb()
            app_log = server.log_tail()
        bare_metadata.drop_all(bare_engine)
        bare_metadata.create_all(bare_engine)
        with Server("tests.perf.bare_app:create_app()", {"BARE_DATABASE_URL": url}, workers, folder / "bare.log",
                    "/ready") as server:
            bare, _ = measure_submits(server.port, papers, "", tablets, warmup, duration, lambda tablet, number: None)
            insert_only = measure_insert(server.port, submission, tablets, warmup, duration)
            bare_rss = server.worker_rss_mb()
            bare_log = server.log_tail()
    finally:
        bare_metadata.drop_all(bare_engine)
        bare_engine.dispose()
        drop_app_tables(url, folder)
    errors = app.errors + bare.errors + insert_only.errors

    def ratio(value: float, baseline: float, digits: int = 3) -> float:
        return round(value / baseline, digits) if baseline else 0.0

    results = {
        "http_submit_rps": {"value": app.capacity.rps, "unit": "req/s", "baseline": bare.capacity.rps,
                            "ratio": ratio(app.capacity.rps, bare.capacity.rps)},
        "http_submit_ratio": {"value": ratio(app.capacity.rps, bare.capacity.rps), "unit": "x"},
        "http_submit_p95_ms": {"value": app.latency.p95_ms, "unit": "ms", "baseline": bare.latency.p95_ms,
                               "ratio": ratio(app.latency.p95_ms, bare.latency.p95_ms, 2)},
        "http_submit_p95_offered_rps": {"value": app.latency.rps, "unit": "req/s"},
        "http_saturated_p95_ms": {"value": app.capacity.p95_ms, "unit": "ms", "baseline": bare.capacity.p95_ms},
        "http_insert_only_rps": {"value": insert_only.rps, "unit": "req/s", "baseline": app.capacity.rps,
                                 "ratio": ratio(app.capacity.rps, insert_only.rps)},
        "http_errors": {"value": len(errors), "unit": "requests"},
        "http_worker_rss_mb": {"value": app_rss, "unit": "MB", "baseline": bare_rss,
                               "ratio": ratio(app_rss, bare_rss, 2)},
    }
    if errors:
        samples = "\n".join(itertools.islice(dict.fromkeys(errors), ERROR_SAMPLES))
        raise LoadError(f"{len(errors)} requests failed under load ({json.dumps(results)}); for example:\n"
                        f"{samples}\napp log:\n{app_log}\nbare log:\n{bare_log}")
    return results
