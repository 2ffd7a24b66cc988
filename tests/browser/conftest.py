"""Real-browser tests: the app served on loopback by a thread, driven by Debian's chromium through Playwright.

Playwright's own browser download does not work on these machines; ``make test`` installs the ``chromium``
package instead (``SYSTEM_PACKAGES`` for the test target). Without it these tests are skipped, except where
``QUIZAPP_REQUIRE_BROWSER=1`` (CI sets it): there a missing browser is a failure, never a silent skip.
Screenshots go to ``tests/artifacts/browser/`` (not committed).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from quizapp.bank.importer import import_bank
from quizapp.bank.validate import load_bank
from quizapp.extensions import db
from quizapp.models import Enterprise, User, Worker
from tests.conftest import BANK, PASSWORD, TEST_DATABASE_URL, VALID_CREDIT_CODE, fresh_app

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
TABLETS = {"landscape": {"width": 1024, "height": 768}, "portrait": {"width": 800, "height": 1280}}
"""A 10-inch tablet held either way."""


def chromium_path() -> str | None:
    return next(filter(None, (shutil.which(name) for name in ("chromium", "chromium-browser"))), None)


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        if os.environ.get("QUIZAPP_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is not installed: `make test` installs it (as root) with the test's system packages")
        pytest.skip("chromium is not installed (make test installs it when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def live_app(tmp_path) -> Iterator:
    """The app with an empty schema, served on a free loopback port while the test runs. An in-memory SQLite
    database can't be shared with the server's thread, so a file stands in for it."""
    url = TEST_DATABASE_URL if TEST_DATABASE_URL.startswith("postgresql") else f"sqlite:///{tmp_path / 'live.db'}"
    with fresh_app(tmp_path, SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=True) as app:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
        try:
            yield app
        finally:
            server.shutdown()
            thread.join()


@pytest.fixture(params=sorted(TABLETS))
def tablet(request, browser, live_app):
    """A touch tablet's browser page at 10-inch sizes; a screenshot is kept of each test's last screen."""
    context = browser.new_context(viewport=TABLETS[request.param], has_touch=True, is_mobile=False,
                                  base_url=live_app.config["LIVE_URL"], locale="zh-CN")
    page = context.new_page()
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def site(live_app):
    """The bundled bank, an enterprise with one floor worker, and an inspector."""
    bank = load_bank(BANK, db.session)
    import_bank(db.session, bank)
    enterprise = Enterprise(credit_code=VALID_CREDIT_CODE, name="临沂某铝业有限公司", county="罗庄区",
                            industry_codes=["nonferrous"])
    worker = Worker(enterprise=enterprise, name="赵师傅", role_code="worker", post="抛光")
    inspector = User(username="inspector", role="inspector")
    inspector.set_password(PASSWORD)
    db.session.add_all([enterprise, worker, inspector])
    db.session.commit()
    return enterprise


def sign_in(page) -> None:
    """The site's inspector signs in, with the English interface the tests' selectors read."""
    page.goto("/lang/en")
    page.goto("/login")
    page.get_by_label("Username").fill("inspector")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").tap()
    page.wait_for_url(re.compile(r"/$"))


def wait_for_service_worker(page) -> None:
    """Wait until the service worker controls the page (its cache then holds the shell).

    `wait_for_function` with a string would poll through eval, which the app's CSP refuses; a promise
    passed to `evaluate` runs without eval.
    """
    page.evaluate(
        "() => navigator.serviceWorker.controller !== null || new Promise(resolve =>"
        " navigator.serviceWorker.addEventListener('controllerchange', () => resolve(true), {once: true}))")
