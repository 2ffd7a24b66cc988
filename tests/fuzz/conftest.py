"""The access matrix's ``world`` (an inspection, its results, a drill run, a practice quiz) for the fuzzers, and an
app without rate limits: a fuzzer sends thousands of requests a minute from one address and one account."""

import uuid

import pytest
from sqlalchemy import select

from quizapp.models import Enterprise, Worker
from tests.conftest import PASSWORD
from tests.web.test_access_matrix import signed_in, world  # noqa: F401 (world: a fixture, made available here)

NO_LIMIT = "1000000 per minute"


@pytest.fixture
def unlimited(app):
    app.config.update(QUIZAPP_RATE_LIMIT=NO_LIMIT, QUIZAPP_ACCOUNT_WRITE_LIMIT=NO_LIMIT, QUIZAPP_LOGIN_LIMIT=NO_LIMIT)
    return app


@pytest.fixture
def scene(unlimited, app, db, world) -> dict:  # noqa: F811 (world is the imported fixture)
    """The world, a second worker with a tablet paper in progress, and the tokens the fuzzers draw from."""
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.qr_token == world["enterprise"]))
    worker = Worker(enterprise=enterprise, name="钱师傅", role_code="worker")
    db.session.add(worker)
    db.session.commit()
    staff = signed_in(app, "inspector-user")
    started = staff.post(f"/api/inspections/{world['inspection']}/attempts",
                         json={"client_id": str(uuid.uuid4()), "worker": worker.public_token})
    assert started.status_code == 201, started.get_data(as_text=True)
    workers = list(db.session.scalars(select(Worker.public_token)))
    paper = started.get_json()
    pack = staff.post("/api/packs", json={"enterprises": [world["enterprise"]], "password": PASSWORD}).get_json()
    packed = pack["enterprises"][0]
    return {**world, "final_attempt": world["attempt"], "attempt": paper["attempt"], "workers": workers,
            "paper_length": len(paper["items"]),
            "pack_papers": [paper["paper"] for paper in packed["papers"]["worker"]],
            "ticket": packed["ticket"], "drill_versions": [drill["version"] for drill in packed["drills"]]}
