"""JSON endpoints the tablet calls. Every result-changing request carries a client-made UUID.

Domain refusals map to statuses here: a conflict 409, a refused action or a shortage 422, answers that
do not fit their paper 400.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import Blueprint, abort, current_app, jsonify, request
from flask_login import current_user
from sqlalchemy import select

from quizapp.exam.assemble import ShortageError
from quizapp.exam.attempts import AttemptConflict, AttemptError, start_attempt, submit_attempt
from quizapp.exam.blueprint import blueprint_for
from quizapp.exam.drill_runs import finish_run, mark_step, rate_phase, start_clock
from quizapp.exam.papers import paper_view, result_view
from quizapp.exam.scoring import ScoringError
from quizapp.extensions import db
from quizapp.models import Attempt, Inspection, Worker
from quizapp.models.drill_run import DrillRun
from quizapp.web.access import roles_required
from quizapp.web.i18n import translate_message

bp = Blueprint("api", __name__, url_prefix="/api")


def json_payload() -> dict:
    """The request's JSON object: no body (or a body that is no JSON) is an empty one, any other JSON value a 400."""
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # json gives up on [[[[… thousands deep; it is no request a tablet sends
        abort(400, description="the request body must be a JSON object")
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        abort(400, description="the request body must be a JSON object")
    return payload


def client_made_id(payload: dict, name: str) -> str:
    try:
        return str(uuid.UUID(str(payload.get(name))))
    except ValueError:
        abort(400, description=f"{name} must be a UUID made by the client")


def _error(status: int, error: Exception, **extra):
    db.session.rollback()
    message = error.args[0] if error.args else str(error)
    return jsonify({"error": translate_message(message), **extra}), status


def answer_refusals(blueprint: Blueprint) -> None:
    """Domain refusals on ``blueprint``'s routes as JSON statuses (see the module's note)."""
    blueprint.register_error_handler(AttemptConflict, lambda error: _error(409, error))
    blueprint.register_error_handler(AttemptError, lambda error: _error(422, error))
    blueprint.register_error_handler(ShortageError, lambda error: _error(422, error, missing=error.missing))
    blueprint.register_error_handler(ScoringError, lambda error: _error(400, error))


answer_refusals(bp)


@bp.post("/inspections/<token>/attempts")
@roles_required("inspector", "admin")
def start(token: str):
    """Draw a paper for a worker of the inspected enterprise: ``{client_id, worker}`` (the worker's token)."""
    payload = json_payload()
    client_id = client_made_id(payload, "client_id")
    inspection = db.first_or_404(select(Inspection).where(Inspection.public_token == token))
    worker = db.first_or_404(select(Worker).where(Worker.public_token == str(payload.get("worker"))))
    attempt = start_attempt(db.session, client_id=client_id, inspection=inspection, worker=worker,
                            examiner=current_user, blueprint=blueprint_for(db.session, worker.role_code),
                            allow_short=bool(payload.get("allow_short")))
    db.session.commit()
    return jsonify(paper_view(db.session, attempt)), 201


@bp.post("/attempts/<token>/submit")
@roles_required("inspector", "admin")
def submit(token: str):
    """Score a paper: ``{submission_id, responses}``; repeating it returns the same result."""
    payload = json_payload()
    submission_id = client_made_id(payload, "submission_id")
    attempt = db.first_or_404(select(Attempt).where(Attempt.public_token == token))
    submit_attempt(db.session, attempt, submission_id=submission_id, responses=payload.get("responses"))
    db.session.commit()
    return jsonify(result_view(db.session, attempt))


def _drill_or_404(token: str) -> DrillRun:
    return db.first_or_404(select(DrillRun).where(DrillRun.public_token == token))


def device_time(payload: dict, name: str = "device_time") -> datetime | None:
    """The tablet's clock as it sent it (ISO 8601); kept beside the server's time, never trusted alone."""
    try:
        return datetime.fromisoformat(str(payload[name]))
    except (KeyError, ValueError):
        return None


def _drill_state(run: DrillRun):
    return jsonify({"status": run.status, "started_at": run.started_at.isoformat() if run.started_at else None,
                    "score": run.score, "passed": run.passed})


@bp.post("/drills/<token>/start")
@roles_required("inspector", "admin")
def drill_start(token: str):
    """The big start button: ``{device_time}``."""
    run = _drill_or_404(token)
    start_clock(db.session, run, device_time=device_time(json_payload()))
    db.session.commit()
    return _drill_state(run)


@bp.post("/drills/<token>/marks")
@roles_required("inspector", "admin")
def drill_mark(token: str):
    """One step mark as it happens: ``{client_id, phase, step, mark, note, elapsed_seconds, device_time}``."""
    payload = json_payload()
    run = _drill_or_404(token)
    try:
        phase, step = int(payload.get("phase")), int(payload.get("step"))
        elapsed = None if payload.get("elapsed_seconds") is None else float(payload["elapsed_seconds"])
    except (TypeError, ValueError, OverflowError):  # OverflowError: Infinity, or an integer beyond a float
        abort(400, description="phase and step are numbers, elapsed_seconds a number of seconds")
    mark = mark_step(db.session, run, client_id=client_made_id(payload, "client_id"), phase=phase, step=step,
                     mark=str(payload.get("mark")), note=str(payload.get("note") or ""), elapsed_seconds=elapsed,
                     device_time=device_time(payload))
    db.session.commit()
    return jsonify({"id": mark.id, "phase": mark.phase, "step": mark.step, "mark": mark.mark}), 201


@bp.post("/drills/<token>/ratings")
@roles_required("inspector", "admin")
def drill_rating(token: str):
    """A phase's rating: ``{phase, rating}`` with rating P, S, M or U; rating again replaces it."""
    payload = json_payload()
    run = _drill_or_404(token)
    try:
        phase = int(payload.get("phase"))
    except (TypeError, ValueError, OverflowError):  # OverflowError: Infinity, or an integer beyond a float
        abort(400, description="phase is a number")
    rate_phase(db.session, run, phase, str(payload.get("rating")))
    db.session.commit()
    return _drill_state(run)


@bp.post("/drills/<token>/finish")
@roles_required("inspector", "admin")
def drill_finish(token: str):
    run = _drill_or_404(token)
    finish_run(db.session, run, rectify_days=current_app.config["QUIZAPP_REEXAM_DAYS"])
    db.session.commit()
    return _drill_state(run)
