"""The app factory, configuration, languages, error pages and the access rule on every route."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quizapp import create_app
from quizapp.web.access import PUBLIC, declared_access
from tests.conftest import REPO, app_config


def test_missing_secret_key_is_generated_once_into_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app(app_config(tmp_path, SECRET_KEY=None))
    second = create_app(app_config(tmp_path, SECRET_KEY=None))
    key_file = Path(first.instance_path) / "secret_key"
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert key_file.stat().st_mode & 0o077 == 0


def test_settings_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://quiz@db.example/quiz")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("QUIZAPP_MAX_UPLOAD_MB", "2")
    monkeypatch.setenv("QUIZAPP_REDIS_URL", "redis://127.0.0.1:6379/3")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://quiz@db.example/quiz"
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"


def test_default_database_is_sqlite_in_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'quizapp.sqlite'}"


def test_every_route_declares_who_may_use_it(app):
    """Access is deny-by-default; a view without a declaration would answer 403 to everyone."""
    with app.test_request_context():
        undeclared = [rule.endpoint for rule in app.url_map.iter_rules() if declared_access(rule.endpoint) is None]
    assert undeclared == []


def test_only_marked_routes_are_public(app):
    with app.test_request_context():
        public = sorted({rule.endpoint for rule in app.url_map.iter_rules()
                         if declared_access(rule.endpoint) == PUBLIC})
    assert public == ["auth.login", "auth.set_language", "field.app", "home.offline", "home.service_worker", "static"]


@pytest.mark.parametrize("path", ["/", "/bank/", "/bank/upload", "/bank/q/ANY", "/bank/q/ANY/edit"])
def test_anonymous_users_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_chinese_is_the_default_and_english_is_available(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "登录" in page
    response = client.get("/lang/en?next=/login")
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Sign in" in page and "登录" not in page


def test_language_switch_does_not_redirect_off_site(client):
    assert client.get("/lang/en?next=https://evil.example/").headers["Location"] == "/"
    assert client.get("/lang/en?next=//evil.example/").headers["Location"] == "/"


def test_friendly_404_page(auth, client):
    auth.login_as("inspector")
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)
    assert "返回首页" in response.get_data(as_text=True)


def test_friendly_403_page(auth, client):
    auth.login_as("inspector")
    response = client.get("/bank/")
    assert response.status_code == 403
    assert "没有权限" in response.get_data(as_text=True)


def test_assets_are_served_locally(client):
    """Sites may have no internet: no page may load anything from another host."""
    for template in (REPO / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["'](https?:)?//""", text), template
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    response.close()


def test_touch_targets_are_at_least_44px():
    css = (REPO / "quizapp" / "static" / "css" / "app.css").read_text(encoding="utf-8")
    touch = int(re.search(r"--touch:\s*(\d+)px", css).group(1))
    assert touch >= 44
    assert "min-height: var(--touch)" in css
