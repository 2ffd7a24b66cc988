"""quizapp: the 逢查必考 knowledge-check system."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from quizapp.config import REPO_ROOT, derived_key, instance_secret_key, load_config


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, commands and error pages."""
    instance_path = (config or {}).get("INSTANCE_PATH") or REPO_ROOT / "instance"
    app = Flask(__name__, template_folder=str(REPO_ROOT / "templates"), instance_path=str(instance_path))
    app.config.from_mapping(load_config(Path(app.instance_path)))
    if config:
        app.config.from_mapping(config)
    Path(app.instance_path).mkdir(exist_ok=True)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))
    if not app.config["QUIZAPP_ID_HASH_KEY"]:
        app.config["QUIZAPP_ID_HASH_KEY"] = derived_key(app.config["SECRET_KEY"], "id-number")
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    return app


def register_extensions(app: Flask) -> None:
    from quizapp import models  # noqa: F401  (every table must be known to db and migrate)
    from quizapp.extensions import babel, csrf, db, limiter, login_manager, migrate
    from quizapp.security import init_security
    from quizapp.web.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(REPO_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    init_security(app)  # before the blueprints: an idle session is signed out before access is checked


def register_blueprints(app: Flask) -> None:
    from quizapp.web import (
        api,
        auth,
        bank,
        blueprints,
        dashboard,
        drills,
        drills_admin,
        enterprises,
        exams,
        exports,
        field,
        home,
        inspections,
        personal_data,
        practice,
        review,
        sheets,
    )
    from quizapp.web.access import enforce_login
    from quizapp.web.input_guard import refuse_nul_characters
    from quizapp.web.static_files import register_static_versions
    from quizapp.web.templating import register_template_helpers

    app.before_request(refuse_nul_characters)
    app.before_request(enforce_login)
    register_template_helpers(app)
    register_static_versions(app)
    for blueprint in (auth.bp, home.bp, bank.bp, blueprints.bp, drills_admin.bp, enterprises.bp, inspections.bp,
                      exams.bp, sheets.bp, drills.bp, api.bp, review.bp, practice.bp,
                      dashboard.bp, exports.bp, personal_data.bp, field.bp):
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    from quizapp.web.errors import register

    register(app)
