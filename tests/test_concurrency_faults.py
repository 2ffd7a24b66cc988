"""Concurrency and faults on PostgreSQL: retries and races from many tablets, and a database connection killed
in the middle of a request. Nothing may be lost or doubled, and no request may answer with a bare error.

Real threads send real requests through the Flask test client (each thread its own client), against the real
database. Skipped unless ``TEST_DATABASE_URL`` is PostgreSQL: SQLite serialises every writer anyway.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, func, make_url, select, text

from quizapp.models import Attempt, AttemptItem, Enterprise, Finding, Inspection, TopicTally, User, Worker
from quizapp.models.enterprise import CREDIT_CODE_ALPHABET, CREDIT_CODE_WEIGHTS
from tests.conftest import PASSWORD, TEST_DATABASE_URL, fresh_app

pytestmark = pytest.mark.skipif(not TEST_DATABASE_URL.startswith("postgresql"),
                                reason="concurrency and connection faults need PostgreSQL (TEST_DATABASE_URL)")

APP_NAME = f"quizapp-faults-app-{os.getpid()}"
"""The application_name of the app's connections: the only backends these tests ever terminate."""
THREADS = 50
START_IDS = 10
REQUEST_TIMEOUT = 60


def credit_code(number: int) -> str:
    """A valid unified social credit code for the ``number``-th test enterprise (check digit included)."""
    body = f"9137130000000{number:04d}"
    total = sum(CREDIT_CODE_ALPHABET.index(ch) * weight for ch, weight in zip(body, CREDIT_CODE_WEIGHTS, strict=True))
    return body + CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def _named(url: str, name: str) -> str:
    return make_url(url).update_query_dict({"application_name": name}).render_as_string(hide_password=False)


@pytest.fixture
def app(tmp_path):
    """The app whose database connections carry APP_NAME, so that a test can find (and kill) exactly them.

    Rate limits are off: fifty tablets of one inspector from one address are the point here, not an attack.
    """
    with fresh_app(tmp_path, SQLALCHEMY_DATABASE_URI=_named(TEST_DATABASE_URL, APP_NAME),
                   RATELIMIT_ENABLED=False) as app:
        yield app


@pytest.fixture
def locker():
    """A connection of the test's own, to hold row locks that make an app request wait."""
    engine = create_engine(_named(TEST_DATABASE_URL, f"quizapp-faults-locker-{os.getpid()}"))
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def signed_in_clients(app, user: User, count: int) -> list:
    """``count`` test clients sharing one signed-in session (one login, not ``count`` password hashes)."""
    first = app.test_client()
    assert first.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    cookie = first.get_cookie("session")
    clients = [first]
    for _ in range(count - 1):
        other = app.test_client()
        other.set_cookie("session", cookie.value, domain=cookie.domain)
        clients.append(other)
    return clients


def run_together(tasks: list) -> list:
    """Run the callables in threads released at the same moment; return their results in order."""
    barrier = threading.Barrier(len(tasks))

    def released(task):
        barrier.wait()
        return task()

    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        return list(pool.map(released, tasks, timeout=REQUEST_TIMEOUT * 3))


@pytest.fixture
def site(app, db, imported_bank, enterprise, make_user):
    """An open inspection with START_IDS workers to examine, and the inspector who opened it."""
    enterprise.industry_codes = ["machinery"]
    workers = [Worker(enterprise=enterprise, name=f"工人{number}", role_code="team-leader", post="铸造")
               for number in range(START_IDS)]
    db.session.add_all(workers)
    db.session.commit()
    inspector = make_user("inspector")
    client = signed_in_clients(app, inspector, 1)[0]
    assert client.post(f"/e/{enterprise.qr_token}", data={"kind": "routine"}).status_code == 302
    return db.session.scalar(select(Inspection)), workers, inspector


def start(client, inspection_token: str, worker_token: str, client_id: str):
    return client.post(f"/api/inspections/{inspection_token}/attempts",
                       json={"client_id": client_id, "worker": worker_token})


def submit(client, attempt_token: str, submission_id: str, responses: list):
    return client.post(f"/api/attempts/{attempt_token}/submit",
                       json={"submission_id": submission_id, "responses": responses})


def variant_responses(items: list[dict], variant: int) -> list:
    """Two different answer sheets for the same paper: blank, or "A" for the first item."""
    return ["A" if variant and index == 0 else None for index in range(len(items))]


def test_fifty_threads_retrying_the_same_uuids_store_each_once(app, db, site):
    inspection, workers, inspector = site
    start_ids = [str(uuid.uuid4()) for _ in range(START_IDS)]
    submission_ids = {(k, variant): str(uuid.uuid4()) for k in range(START_IDS) for variant in (0, 1)}
    worker_tokens = [worker.public_token for worker in workers]
    clients = signed_in_clients(app, inspector, THREADS)

    def tablet(number: int):
        """Start paper ``k`` and submit one of its two answer sheets, as a tablet retrying over a bad network."""
        k, variant = number % START_IDS, (number // START_IDS) % 2
        client = clients[number]
        started = start(client, inspection.public_token, worker_tokens[k], start_ids[k])
        if started.status_code != 201:
            return k, variant, started.status_code, None, None
        paper = started.get_json()
        submitted = submit(client, paper["attempt"], submission_ids[k, variant],
                           variant_responses(paper["items"], variant))
        return k, variant, started.status_code, paper["attempt"], submitted.status_code

    outcomes = run_together([lambda number=number: tablet(number) for number in range(THREADS)])

    statuses = Counter(status for *_, started, _, submitted in outcomes for status in (started, submitted))
    assert set(statuses) <= {201, 200, 409}, statuses
    assert statuses[201] == THREADS
    db.session.remove()
    attempts = {attempt.client_id: attempt for attempt in db.session.scalars(select(Attempt))}
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == START_IDS  # no duplicate attempt
    assert set(attempts) == set(start_ids)
    for k, start_id in enumerate(start_ids):
        attempt = attempts[start_id]
        assert {token for kk, _, _, token, _ in outcomes if kk == k} == {attempt.public_token}
        accepted = {variant for kk, variant, _, _, submitted in outcomes if kk == k and submitted == 200}
        assert len(accepted) == 1, accepted  # one answer sheet won; the other got 409, never a second result
        assert attempt.status == "final" and attempt.submission_id == submission_ids[k, accepted.pop()]
    items = sum(len(attempt.items) for attempt in attempts.values())
    assert db.session.scalar(select(func.count()).select_from(AttemptItem)) == items
    failed = sum(1 for attempt in attempts.values() if not attempt.passed)
    assert db.session.scalar(select(func.count()).select_from(Finding)) == failed
    tallied = {tuple(row[:4]): (row[4], round(row[5], 6)) for row in db.session.execute(TopicTally.recount())}
    stored = {(t.enterprise_id, t.role_code, t.topic_id, t.month): (t.answers, round(t.points, 6))
              for t in db.session.scalars(select(TopicTally))}
    assert stored == tallied  # every result counted once in the dashboard's tallies
    print(f"\n{THREADS} threads: statuses {dict(statuses)}; {START_IDS} attempts, {items} items, {failed} findings")


def test_two_inspectors_scanning_at_once_share_one_inspection(app, db, make_user):
    enterprises = [Enterprise(credit_code=credit_code(number), name=f"企业{number}", county="罗庄区")
                   for number in range(5)]
    db.session.add_all(enterprises)
    db.session.commit()
    tokens, enterprise_ids = [e.qr_token for e in enterprises], sorted(e.id for e in enterprises)
    inspectors = [make_user("inspector", username=f"inspector-{number}") for number in range(2)]
    inspector_ids = sorted(user.id for user in inspectors)
    taps = 2  # each inspector's tablet sends the check-in twice (a double tap, or a retry on a slow network)
    clients = [signed_in_clients(app, inspector, len(tokens) * taps) for inspector in inspectors]

    def scan(client, token: str):
        return lambda: client.post(f"/e/{token}", data={"kind": "routine"})

    tasks = [scan(clients[who][number], tokens[number % len(tokens)])
             for who in range(2) for number in range(len(tokens) * taps)]
    responses = run_together(tasks)

    assert [response.status_code for response in responses] == [302] * len(tasks)
    db.session.remove()
    inspections = list(db.session.scalars(select(Inspection)))
    assert sorted(inspection.enterprise_id for inspection in inspections) == enterprise_ids  # one each
    for inspection in inspections:
        assert sorted(member.user_id for member in inspection.team) == inspector_ids
    assert {response.headers["Location"] for response in responses} == {
        f"/inspections/{inspection.public_token}" for inspection in inspections}


class Fault:
    """Make one app request wait on a row lock held by ``locker``, then terminate the app's backend under it."""

    def __init__(self, locker, lock_sql: str, **params):
        self.locker, self.lock_sql, self.params = locker, lock_sql, params
        self.injected = 0

    def during(self, request):
        """Send ``request`` (a callable) while the lock is held, kill its connection, return its response."""
        self.locker.execute(text(self.lock_sql), self.params)
        result: dict = {}
        thread = threading.Thread(target=lambda: result.setdefault("response", request()))
        thread.start()
        try:
            self.injected += self._terminate_waiting_backend()
            thread.join(REQUEST_TIMEOUT)
            assert not thread.is_alive(), "the request hung after its connection was killed"
        finally:
            self.locker.rollback()
            thread.join(REQUEST_TIMEOUT)
        return result["response"]

    def _terminate_waiting_backend(self) -> int:
        """Kill the app's backend that waits for a lock: only this database, only this test's application_name."""
        deadline = time.monotonic() + REQUEST_TIMEOUT
        while time.monotonic() < deadline:
            killed = self.locker.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name = :name AND wait_event_type = 'Lock'"), {"name": APP_NAME}).scalars().all()
            if killed:
                assert killed == [True]
                return 1
            time.sleep(0.05)
        raise AssertionError("the request never waited for the lock")


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_connection_killed_mid_request_fails_cleanly_and_the_retry_stores_once(app, db, site, locker):
    inspection, workers, inspector = site
    client = signed_in_clients(app, inspector, 1)[0]
    inspection_token, worker_token = inspection.public_token, workers[0].public_token  # the threads need no session
    db.session.commit()  # the test's own session holds no locks while the app works

    start_id = str(uuid.uuid4())
    # Drawing a paper inserts an attempt, whose foreign key waits for a row lock on the inspection.
    fault = Fault(locker, "SELECT id FROM inspections WHERE id = :id FOR UPDATE", id=inspection.id)
    failed = fault.during(lambda: start(client, inspection_token, worker_token, start_id))
    assert failed.status_code == 503
    assert failed.get_json()["error"]
    assert _count(db, Attempt, Attempt.client_id == start_id) == 0  # rolled back, nothing half-written
    retried = start(client, inspection_token, worker_token, start_id)
    assert retried.status_code == 201
    paper = retried.get_json()
    attempt_id = db.session.scalar(select(Attempt.id).where(Attempt.client_id == start_id))

    submission_id = str(uuid.uuid4())
    responses = variant_responses(paper["items"], 0)
    fault.lock_sql, fault.params = "SELECT id FROM attempts WHERE id = :id FOR UPDATE", {"id": attempt_id}
    failed = fault.during(lambda: submit(client, paper["attempt"], submission_id, responses))
    assert failed.status_code == 503
    db.session.remove()
    assert db.session.get(Attempt, attempt_id).status == "in_progress"
    assert _count(db, AttemptItem, AttemptItem.attempt_id == attempt_id) == 0
    assert _count(db, Finding, Finding.attempt_id == attempt_id) == 0
    retried = submit(client, paper["attempt"], submission_id, responses)
    assert retried.status_code == 200
    assert submit(client, paper["attempt"], submission_id, responses).get_json() == retried.get_json()
    db.session.remove()
    assert db.session.get(Attempt, attempt_id).submission_id == submission_id
    assert _count(db, AttemptItem, AttemptItem.attempt_id == attempt_id) == len(paper["items"])
    assert _count(db, Finding, Finding.attempt_id == attempt_id) == 1
    db.session.commit()

    # A page, not JSON: checking in inserts an inspection, whose foreign key waits for the enterprise's row.
    second = Enterprise(credit_code=credit_code(99), name="另一家", county="兰山区")
    db.session.add(second)
    db.session.commit()
    second_id, poster = second.id, f"/e/{second.qr_token}"
    db.session.commit()
    fault.lock_sql, fault.params = "SELECT id FROM enterprises WHERE id = :id FOR UPDATE", {"id": second_id}
    client.get("/lang/en")
    failed = fault.during(lambda: client.post(poster, data={"kind": "routine"}))
    assert failed.status_code == 503
    assert "try again" in failed.get_data(as_text=True)
    assert _count(db, Inspection, Inspection.enterprise_id == second_id) == 0
    assert client.post(poster, data={"kind": "routine"}).status_code == 302
    assert _count(db, Inspection, Inspection.enterprise_id == second_id) == 1
    db.session.commit()

    # Idle connections in the pool killed between requests: the next request still works (pool_pre_ping).
    killed = locker.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                 "WHERE datname = current_database() AND application_name = :name AND state = 'idle'"),
                            {"name": APP_NAME}).scalar_one()
    locker.commit()
    assert killed >= 1
    assert client.get(f"/inspections/{inspection_token}").status_code == 200
    print(f"\nfaults injected: {fault.injected} mid-request kills, {killed} idle pooled connection(s) killed; "
          "records lost: 0, duplicates: 0")
