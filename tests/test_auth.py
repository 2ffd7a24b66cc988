"""Signing in and out, throttling, roles and enterprise binding."""

from __future__ import annotations

import pytest
import redis
from sqlalchemy.exc import IntegrityError

from quizapp.extensions import db as _db
from quizapp.models import User
from tests.conftest import PASSWORD, build_app, reset_schema


def test_login_and_logout(auth, client, make_user):
    make_user("admin", "chen")
    response = auth.login("chen")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "欢迎" in client.get("/").get_data(as_text=True)
    response = client.post("/logout")
    assert response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_username_is_case_insensitive_and_last_login_recorded(auth, make_user, db):
    user = make_user("inspector", "Wang")
    assert auth.login("wang").status_code == 302
    db.session.refresh(user)
    assert user.last_login_at is not None


def test_wrong_password_says_so_without_revealing_which_part(auth, make_user):
    make_user("admin", "chen")
    for username in ("chen", "nobody"):
        response = auth.login(username, "wrong password")
        assert response.status_code == 200
        assert "用户名或密码错误" in response.get_data(as_text=True)


def test_disabled_user_cannot_sign_in(auth, make_user, db):
    user = make_user("admin", "chen")
    user.is_enabled = False
    db.session.commit()
    assert auth.login("chen").status_code == 200


def test_next_parameter_stays_on_site(client, make_user):
    make_user("admin", "chen")
    form = {"username": "chen", "password": PASSWORD}
    assert client.post("/login?next=/bank/", data=form).headers["Location"] == "/bank/"
    client.post("/logout")
    assert client.post("/login?next=https://evil.example/x", data=form).headers["Location"] == "/"


def test_login_form_needs_its_csrf_token(tmp_path, make_user):
    app = build_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        reset_schema()
        make_user("admin", "chen")
        client = app.test_client()
        response = client.post("/login", data={"username": "chen", "password": PASSWORD})
        assert response.status_code == 400
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        response = client.post("/login", data={"username": "chen", "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302
        _db.session.remove()
        _db.drop_all()


def test_login_is_throttled(app, auth, make_user):
    make_user("admin", "chen")
    statuses = [auth.login("chen", "guess").status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    response = auth.login("chen")
    assert response.status_code == 429
    assert "尝试次数过多" in response.get_data(as_text=True)


def test_throttle_counts_per_username_across_addresses(app, make_user):
    """Guessing one account's password from many addresses is throttled too."""
    make_user("admin", "chen")
    client = app.test_client()
    statuses = [
        client.post("/login", data={"username": "chen", "password": "guess"},
                    environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code
        for n in range(11)
    ]
    assert statuses[-1] == 429


def test_throttle_uses_redis_when_configured(tmp_path, make_user):
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).flushdb()
    except redis.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    app = build_app(tmp_path, RATELIMIT_STORAGE_URI=url, QUIZAPP_LOGIN_LIMIT="2 per minute")
    with app.app_context():
        reset_schema()
        make_user("admin", "chen")
        client = app.test_client()
        statuses = [client.post("/login", data={"username": "chen", "password": "x"}).status_code
                    for _ in range(3)]
        assert statuses == [200, 200, 429]
        assert redis.Redis.from_url(url).dbsize() > 0
        _db.session.remove()
        _db.drop_all()


def test_enterprise_user_must_be_bound_to_an_enterprise(db, enterprise):
    db.session.add(User(username="e1", role="enterprise", password_hash="x"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(User(username="i1", role="inspector", password_hash="x", enterprise=enterprise))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("inspector", 403), ("enterprise", 403)])
def test_bank_pages_are_for_admins(auth, client, enterprise, role, status):
    auth.login_as(role, enterprise=enterprise if role == "enterprise" else None)
    for path in ("/bank/", "/bank/upload"):
        assert client.get(path).status_code == status
