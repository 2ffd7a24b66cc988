"""JSON endpoints the tablet calls. Every result-changing request carries a client-made UUID.

Domain refusals map to statuses here: a conflict 409, a refused action or a shortage 422, answers that
do not fit their paper 400.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user
from sqlalchemy import select

from quizapp.exam.assemble import ShortageError
from quizapp.exam.attempts import AttemptConflict, AttemptError, start_attempt, submit_attempt
from quizapp.exam.blueprint import blueprint_for
from quizapp.exam.papers import paper_view, result_view
from quizapp.exam.scoring import ScoringError
from quizapp.extensions import db
from quizapp.models import Attempt, Inspection, Worker
from quizapp.web.access import roles_required
from quizapp.web.i18n import translate_message

bp = Blueprint("api", __name__, url_prefix="/api")


def _client_id(payload: dict, name: str) -> str:
    try:
        return str(uuid.UUID(str(payload.get(name))))
    except ValueError:
        abort(400, description=f"{name} must be a UUID made by the client")


def _error(status: int, error: Exception, **extra):
    db.session.rollback()
    message = error.args[0] if error.args else str(error)
    return jsonify({"error": translate_message(message), **extra}), status


@bp.errorhandler(AttemptConflict)
def conflict(error: AttemptConflict):
    return _error(409, error)


@bp.errorhandler(AttemptError)
def refused(error: AttemptError):
    return _error(422, error)


@bp.errorhandler(ShortageError)
def shortage(error: ShortageError):
    return _error(422, error, missing=error.missing)


@bp.errorhandler(ScoringError)
def bad_answers(error: ScoringError):
    return _error(400, error)


@bp.post("/inspections/<token>/attempts")
@roles_required("inspector", "admin")
def start(token: str):
    """Draw a paper for a worker of the inspected enterprise: ``{client_id, worker}`` (the worker's token)."""
    payload = request.get_json(silent=True) or {}
    client_id = _client_id(payload, "client_id")
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
    payload = request.get_json(silent=True) or {}
    submission_id = _client_id(payload, "submission_id")
    attempt = db.first_or_404(select(Attempt).where(Attempt.public_token == token))
    submit_attempt(db.session, attempt, submission_id=submission_id, responses=payload.get("responses"))
    db.session.commit()
    return jsonify(result_view(db.session, attempt))
