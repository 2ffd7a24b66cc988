"""Security hardening: CSRF on every form and JSON write, cookie flags, headers with a content policy and nothing
inline on any page, throttling per address and per account, a sign-in that does not tell whether an account
exists, idle sign-out, and upload size limits."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from io import BytesIO

import pytest
from sqlalchemy import select

from quizapp.models import Inspection
from quizapp.models.drill_run import DrillRun
from quizapp.security import LAST_ACTIVITY
from quizapp.web import auth as auth_views
from tests.conftest import PASSWORD, build_app, reset_schema, table_counts
from tests.web import test_access_matrix
from tests.web.test_access_matrix import ALLOWED, POLICY, signed_in, url_for_rule

world = test_access_matrix.world  # the access matrix's scene, as a fixture here too

EXPECTED_POLICY = {
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "object-src 'none'",
    "base-uri 'self'", "frame-ancestors 'none'", "form-action 'self'",
}
META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
FLASH = re.compile(r'<div class="flash flash-\w+" role="status">(.*?)</div>')


def page_token(client, url: str) -> str:
    """The CSRF token a page carries in its <meta>, as the scripts read it."""
    return META_TOKEN.search(client.get(url).get_data(as_text=True))[1]


def posted_urls(app, world) -> list[str]:
    return [url_for_rule(rule, world) for rule in app.url_map.iter_rules() if "POST" in rule.methods]


# --- CSRF -----------------------------------------------------------------------------------------------------------

def test_no_post_anywhere_goes_through_without_its_token(app, db, world):
    """Every form and JSON route that writes refuses a request without the token, and nothing changes."""
    client = signed_in(app, "admin-user")
    app.config["WTF_CSRF_ENABLED"] = True
    before = table_counts(db)
    urls = posted_urls(app, world)
    assert len(urls) >= 20 and any(url.startswith("/api/") for url in urls)
    for url in urls:
        api = url.startswith("/api/")
        response = client.post(url, json={} if api else None, data=None if api else {"note": "x"})
        assert response.status_code == 400, url
        if api:  # the tablet's script reads a JSON error, not an HTML page
            assert response.is_json and response.get_json()["error"], url
    assert table_counts(db) == before


def test_a_form_post_needs_the_token_of_its_page(app, db, world):
    client = signed_in(app, "inspector-user")
    client.get("/lang/en")
    app.config["WTF_CSRF_ENABLED"] = True
    url = f"/inspections/{world['inspection']}"
    inspection = db.session.scalar(select(Inspection).where(Inspection.public_token == world["inspection"]))
    refused = client.post(f"{url}/close")
    assert refused.status_code == 400 and "This page has expired" in refused.get_data(as_text=True)
    db.session.refresh(inspection)
    assert inspection.status == "open"
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True))[1]
    assert client.post(f"{url}/close", data={"csrf_token": form_token}).status_code == 302
    db.session.refresh(inspection)
    assert inspection.status == "closed"


def test_a_json_write_needs_the_token_in_a_header(app, db, world):
    client = signed_in(app, "inspector-user")
    app.config["WTF_CSRF_ENABLED"] = True
    run = db.session.scalar(select(DrillRun).where(DrillRun.public_token == world["drill"]))
    url = f"/api/drills/{world['drill']}/start"
    refused = client.post(url, json={})
    assert refused.status_code == 400 and refused.is_json and "error" in refused.get_json()
    assert client.post(url, json={}, headers={"X-CSRFToken": "forged"}).status_code == 400
    db.session.refresh(run)
    assert run.started_at is None
    page = client.get(f"/drills/{world['drill']}").get_data(as_text=True)
    assert "data-csrf" not in page  # the script reads the page's <meta>
    accepted = client.post(url, json={}, headers={"X-CSRFToken": META_TOKEN.search(page)[1]})
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "running"
    db.session.refresh(run)
    assert run.started_at is not None


# --- cookies and headers --------------------------------------------------------------------------------------------

def cookie_attributes(response, name: str) -> set[str]:
    header = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith(f"{name}="))
    return {part.strip().lower() for part in header.split(";")[1:]}


@pytest.mark.parametrize("secure", [False, True])
def test_cookies_are_http_only_same_site_and_secure_when_configured(tmp_path, monkeypatch, make_user, secure):
    monkeypatch.setenv("QUIZAPP_SECURE_COOKIES", "1" if secure else "")
    app = build_app(tmp_path)
    with app.app_context():
        reset_schema()
        make_user("inspector", "chen")
        client = app.test_client()
        assert client.get("/login").status_code == 200  # no redirect to HTTPS: the reverse proxy does that
        response = client.post("/login", data={"username": "chen", "password": PASSWORD, "remember": "y"})
        assert response.status_code == 302
        for cookie in ("session", "remember_token"):
            attributes = cookie_attributes(response, cookie)
            assert {"httponly", "samesite=lax"} <= attributes, cookie
            assert ("secure" in attributes) is secure, cookie
        over_https = client.get("/", base_url="https://localhost")
        assert ("Strict-Transport-Security" in over_https.headers) is secure


class InlineCode(HTMLParser):
    """Collects what the content policy would block: script bodies, <style>, handlers and style attributes."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = {name for name, _value in attrs}
        self.found += [f"<{tag} {name}>" for name in names if name == "style" or name.startswith("on")]
        self.found += [f"<{tag} {name}=javascript:>" for name, value in attrs
                       if value and value.strip().lower().startswith("javascript:")]
        if tag == "style":
            self.found.append("<style>")
        if tag == "script":
            self._in_script = True
            if "src" not in names:
                self.found.append("<script> without src")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append("an inline script body")


def assert_secure_response(response, where: str) -> None:
    policy = {part.strip() for part in response.headers["Content-Security-Policy"].split(";")}
    assert policy == EXPECTED_POLICY, where
    assert response.headers["X-Content-Type-Options"] == "nosniff", where
    assert response.headers["X-Frame-Options"] == "DENY", where
    assert response.headers["Referrer-Policy"] == "same-origin", where
    if response.mimetype == "text/html":
        parser = InlineCode()
        parser.feed(response.get_data(as_text=True))
        assert parser.found == [], where


def test_every_page_has_the_content_policy_and_nothing_inline(app, world):
    """Every page each persona may open in a scene with results, sheets, drills, findings and practice, plus the
    error pages and a refused sign-in."""
    html_pages = 0
    for persona, username in (("admin", "admin-user"), ("inspector", "inspector-user"),
                              ("enterprise_a", "enterprise_a"), ("anonymous", None)):
        client = signed_in(app, username)
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or persona not in ALLOWED[POLICY[rule.endpoint]]:
                continue
            url = url_for_rule(rule, world)
            response = client.get(url)
            assert_secure_response(response, f"{persona} {url}")
            html_pages += response.mimetype == "text/html"
        for url in ("/no-such-page", "/bank/"):
            assert_secure_response(client.get(url), f"{persona} {url}")
    refused = app.test_client().post("/login", data={"username": "admin-user", "password": "wrong"})
    assert_secure_response(refused, "refused sign-in")
    assert html_pages >= 60


# --- throttling -----------------------------------------------------------------------------------------------------

def test_requests_are_throttled_per_address_except_static_files(app, client):
    app.config["QUIZAPP_RATE_LIMIT"] = "4 per minute"
    client.get("/lang/en")
    assert [client.get("/login").status_code for _ in range(4)] == [200, 200, 200, 429]
    throttled = client.get("/login")
    assert throttled.status_code == 429 and "Too many attempts" in throttled.get_data(as_text=True)
    assert "Retry-After" in throttled.headers
    api = client.post("/api/drills/unknown/start", json={})
    assert api.status_code == 429 and api.get_json()["error"].startswith("Too many attempts")
    assert all(client.get("/static/css/app.css").status_code == 200 for _ in range(10))
    assert client.get("/login", environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 200


@pytest.mark.parametrize("proxies", [0, 1])
def test_behind_a_trusted_proxy_each_visitor_has_a_budget_of_its_own(tmp_path, proxies):
    """Behind nginx every request comes from the proxy's address; X-Forwarded-For is believed only when configured."""
    client = build_app(tmp_path, QUIZAPP_TRUSTED_PROXIES=proxies, QUIZAPP_RATE_LIMIT="2 per minute").test_client()
    statuses = [client.get("/login", headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code for n in range(3)]
    assert statuses == ([200, 200, 200] if proxies else [200, 200, 429])


def tablet(app, username: str, address: str):
    """A client signed in from its own address (a session is bound to its address: session_protection)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return client


def test_writes_are_throttled_per_account_from_any_address(app, make_user):
    app.config["QUIZAPP_ACCOUNT_WRITE_LIMIT"] = "3 per minute"
    make_user("inspector", "chen")
    make_user("inspector", "wang")
    first, second = tablet(app, "chen", "10.0.0.1"), tablet(app, "chen", "10.0.0.2")
    url = "/api/attempts/unknown/submit"  # refused as a bad request, but every POST counts
    statuses = [first.post(url, json={}).status_code, second.post(url, json={}).status_code,
                first.post(url, json={}).status_code, second.post(url, json={}).status_code]
    assert statuses == [400, 400, 400, 429]
    throttled = first.post(url, json={})
    assert throttled.status_code == 429 and throttled.get_json()["error"]
    assert first.get("/").status_code == 200  # reading goes on
    assert tablet(app, "wang", "10.0.0.1").post(url, json={}).status_code == 400  # another account is not held back


# --- sign-in --------------------------------------------------------------------------------------------------------

def test_an_unknown_user_gets_the_same_answer_after_the_same_work_as_a_wrong_password(client, make_user, db,
                                                                                         monkeypatch):
    make_user("admin", "chen")
    make_user("admin", "li").is_enabled = False
    db.session.commit()
    checked = []
    real_check = auth_views.check_password_hash

    def counting_check(password_hash: str, password: str) -> bool:
        checked.append(password_hash.split("$")[0])  # the method and its cost, e.g. scrypt:32768:8:1
        return real_check(password_hash, password)

    monkeypatch.setattr(auth_views, "check_password_hash", counting_check)
    client.get("/lang/en")
    answers = {}
    for username, password in (("chen", "wrong password"), ("nobody", "wrong password"), ("li", PASSWORD)):
        checked.clear()
        response = client.post("/login", data={"username": username, "password": password})
        assert response.status_code == 200
        answers[username] = (FLASH.findall(response.get_data(as_text=True)), checked[:])
    assert answers["chen"] == answers["nobody"] == answers["li"]
    messages, hashes = answers["chen"]
    assert messages == ["Wrong username or password."] and len(hashes) == 1


# --- idle sessions --------------------------------------------------------------------------------------------------

def idle_for(client, minutes: float) -> None:
    with client.session_transaction() as session:
        session[LAST_ACTIVITY] -= minutes * 60


def test_an_idle_session_is_signed_out_and_activity_renews_it(app, client, auth):
    client.get("/lang/en")
    auth.login_as("inspector")
    idle_for(client, 29)
    started = time.time()
    assert client.get("/enterprises/").status_code == 200
    with client.session_transaction() as session:
        assert session[LAST_ACTIVITY] >= started  # renewed
    idle_for(client, 31)
    response = client.get("/enterprises/?q=x")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=/enterprises/")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out after 30 minutes without activity" in page
    assert client.get("/enterprises/").headers["Location"].startswith("/login")


def test_an_idle_tablet_gets_a_json_answer_from_the_api(app, client, auth):
    app.config["QUIZAPP_SESSION_IDLE_MINUTES"] = 10
    client.get("/lang/en")
    auth.login_as("inspector")
    client.get("/")
    idle_for(client, 11)
    response = client.post("/api/drills/unknown/start", json={})
    assert response.status_code == 401 and "after 10 minutes" in response.get_json()["error"]


# --- upload size ----------------------------------------------------------------------------------------------------

def english_client(app, username: str):
    client = signed_in(app, username)
    client.get("/lang/en")
    return client


def test_an_oversized_upload_says_the_limit(app, db, world):
    admin, manager, inspector = (english_client(app, name) for name in ("admin-user", "enterprise_a", "inspector-user"))
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    too_big = b"x" * (1024 * 1024 + 1)
    before = table_counts(db)  # after signing in, which records each user's last sign-in
    for client, url, field in (
            (admin, "/bank/upload", "file"),
            (admin, f"/enterprises/{world['enterprise']}/workers/import", "file"),
            (manager, f"/enterprises/{world['enterprise']}/review/findings/{world['finding']}/rectify", "photo")):
        response = client.post(url, data={field: (BytesIO(too_big), "big.xlsx"), "note": "x"})
        assert response.status_code == 413, url
        assert "The uploaded file is too large (at most 1 MB)." in response.get_data(as_text=True), url
    api = inspector.post(f"/api/drills/{world['drill']}/start", data=too_big, content_type="application/json")
    assert api.status_code == 413 and "(at most 1 MB)" in api.get_json()["error"]
    assert table_counts(db) == before
