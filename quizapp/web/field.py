"""Working offline: downloading inspection packs, the field app that runs from them, and the JSON routes its
queue sends records to, one at a time, when the network is back (quizapp/static/js/store.js).

The field app (``/field``) is a page with no data of its own: the service worker keeps it, and its script reads
the packs and the queue from the tablet's IndexedDB. A pack's papers and drills carry their screens rendered
here by the same macros as the online pages, and what the tablet sends back are the same form fields, read by
the same ``answers_from``: offline work looks and scores exactly like online work.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, get_template_attribute, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import or_, select
from werkzeug.datastructures import MultiDict

from quizapp.exam.attempts import AttemptConflict, correct_attempt, objective_positions, submit_attempt
from quizapp.exam.offline import OfflineMark, record_offline_attempt, record_offline_drill
from quizapp.exam.packs import MAX_ENTERPRISES, build_pack, read_signed
from quizapp.exam.papers import items_view, result_view
from quizapp.extensions import db, limiter
from quizapp.forms.drill_runs import PHASE_RATING_LABELS
from quizapp.forms.drill_runs import STEP_MARK_LABELS as DRILL_STEP_MARK_LABELS
from quizapp.forms.exams import ORAL_MARK_LABELS, STEP_MARK_LABELS, answers_from
from quizapp.models import Attempt, Enterprise
from quizapp.web.access import public, roles_required
from quizapp.web.api import answer_refusals, client_made_id, device_time, json_payload
from quizapp.web.i18n import select_locale, translate_message

bp = Blueprint("field", __name__)
answer_refusals(bp)
PICKER_SIZE = 50
ROW_ID_LIMIT = 2**31
"""Row ids are 32-bit integers on PostgreSQL: a larger number is no id, and the database would refuse to look."""


@bp.route("/field")
@public
def app():
    """The field app's shell: its screens come from the packs on the tablet, so it holds no data itself."""
    return render_template("field/index.html")


@bp.route("/packs")
@roles_required("inspector", "admin")
def packs():
    """Choose the enterprises of a day's visits; the page's script downloads their pack onto the tablet."""
    query = request.args.get("q", "").strip()[:100]
    found = select(Enterprise).order_by(Enterprise.county, Enterprise.name).limit(PICKER_SIZE)
    if query:
        found = found.where(or_(Enterprise.name.contains(query, autoescape=True),
                                Enterprise.county.contains(query, autoescape=True)))
    return render_template("field/packs.html", enterprises=db.session.scalars(found).all(), query=query,
                           most=MAX_ENTERPRISES)


def _with_screens(pack: dict[str, Any]) -> dict[str, Any]:
    """Each paper's worker screens and marking cards, and each drill's phases, as the online pages render them."""
    worker_screens = get_template_attribute("exams/_inputs.html", "worker_screens")
    marking_cards = get_template_attribute("exams/_inputs.html", "marking_cards")
    drill_phases = get_template_attribute("drills/_phases.html", "drill_phases")
    for enterprise in pack["enterprises"]:
        for paper in (paper for papers in enterprise["papers"].values() for paper in papers):
            items = paper.pop("items")
            everything, own = list(range(len(items))), objective_positions(items)
            rest = [index for index in everything if index not in own]
            paper.update(worker_items=len(own), inspector_items=len(rest),
                         take_html=str(worker_screens(items, own)),
                         mark_html=str(marking_cards(items, rest, None, ORAL_MARK_LABELS, STEP_MARK_LABELS)),
                         oral_html=str(marking_cards(items, everything, None, ORAL_MARK_LABELS, STEP_MARK_LABELS)))
        for drill in enterprise["drills"]:
            drill["html"] = str(drill_phases(drill["content"], PHASE_RATING_LABELS, DRILL_STEP_MARK_LABELS))
    return pack


@bp.post("/api/packs")
@roles_required("inspector", "admin")
@limiter.limit("10 per minute")
def download_pack():
    """A pack for ``{enterprises: [QR tokens], password}``. The password is checked so that the tablet may keep
    a verifier of it: offline, only the inspector can take the tablet back from a worker."""
    payload = json_payload()
    if not current_user.check_password(str(payload.get("password") or "")):
        return jsonify({"error": _("That is not the inspector's password.")}), 403
    tokens = payload.get("enterprises")
    if not isinstance(tokens, list) or not all(isinstance(token, str) for token in tokens):
        abort(400, description="enterprises is a list of enterprise tokens")
    enterprises = db.session.scalars(select(Enterprise).where(Enterprise.qr_token.in_(tokens))).all()
    pack = build_pack(db.session, secret=current_app.secret_key, enterprises=list(enterprises), user=current_user,
                      locale=select_locale())
    return jsonify(_with_screens(pack))


@bp.get("/api/session")
@roles_required("inspector", "admin")
def session_state():
    """Who is signed in and a fresh CSRF token: the field app's page may be hours old when it sends its queue."""
    return jsonify({"user": current_user.username, "csrf_token": generate_csrf()})


def _form_fields(payload: dict) -> MultiDict:
    """The paper's form fields as the tablet read them from its inputs: ``{name: [values]}``."""
    fields = payload.get("fields")
    if not isinstance(fields, dict) or not all(
            isinstance(values, list) and all(isinstance(value, str) for value in values) for values in fields.values()):
        abort(400, description="fields maps each input's name to a list of its values")
    return MultiDict([(name, value) for name, values in fields.items() for value in values])


def _responses(payload: dict, items: list[dict[str, Any]]) -> list[Any]:
    """Every item's answer, read from the sent fields exactly as the online forms are read."""
    shown = items_view(db.session, items)
    answers = answers_from(_form_fields(payload), shown, list(range(len(shown))))
    return [answers[index] for index in range(len(shown))]


def _result(attempt: Attempt):
    return jsonify({**result_view(db.session, attempt), "url": url_for("exams.result", token=attempt.public_token)})


@bp.post("/api/offline/attempts")
@roles_required("inspector", "admin")
def offline_attempt():
    """A paper taken offline: ``{client_id, submission_id, paper, worker, mode, fields, started_at,
    submitted_at}``, ``worker`` being a roster token or ``{name, role, post}`` for a person added on the tablet.
    The same record again answers 200 with the stored result; other answers for the same paper 409, with the
    stored result beside the error so the inspector can compare."""
    payload = json_payload()
    client_id, submission_id = client_made_id(payload, "client_id"), client_made_id(payload, "submission_id")
    paper = read_signed(current_app.secret_key, payload.get("paper"))
    if "items" not in paper:
        abort(400, description="paper is a signed pack paper")
    try:
        attempt = record_offline_attempt(
            db.session, paper=paper, examiner=current_user, client_id=client_id, submission_id=submission_id,
            worker=payload.get("worker"), mode=str(payload.get("mode")),
            responses=_responses(payload, paper["items"]), started=device_time(payload, "started_at"),
            submitted=device_time(payload, "submitted_at"), reexam_days=current_app.config["QUIZAPP_REEXAM_DAYS"])
    except AttemptConflict as error:
        db.session.rollback()
        stored = db.session.scalar(select(Attempt).where(Attempt.client_id == client_id, Attempt.status == "final"))
        return jsonify({"error": translate_message(error.args[0]), "stored": stored and _stored(stored)}), 409
    db.session.commit()
    return _result(attempt)


def _stored(attempt: Attempt) -> dict[str, Any]:
    return {"score": attempt.score, "passed": attempt.passed, "submitted_at": attempt.submitted_at.isoformat(),
            "url": url_for("exams.result", token=attempt.public_token)}


@bp.post("/api/offline/attempts/<client_id>/correction")
@roles_required("inspector", "admin")
def offline_correction(client_id: str):
    """The inspector resolves a conflict by filing the tablet's answers as a correction of the stored result:
    ``{client_id, submission_id, reason, fields}``. The stored result stays, named by the correction."""
    payload = json_payload()
    attempt = db.first_or_404(select(Attempt).where(Attempt.client_id == client_id))
    correction = correct_attempt(db.session, attempt, client_id=client_made_id(payload, "client_id"),
                                 examiner=current_user, reason=str(payload.get("reason") or ""))
    submit_attempt(db.session, correction, submission_id=client_made_id(payload, "submission_id"),
                   responses=_responses(payload, correction.items),
                   reexam_days=current_app.config["QUIZAPP_REEXAM_DAYS"])
    db.session.commit()
    return _result(correction)


def _marks(payload: dict) -> list[OfflineMark]:
    marks = payload.get("marks") or []
    if not isinstance(marks, list) or not all(isinstance(mark, dict) for mark in marks):
        abort(400, description="marks is a list of step marks")
    try:
        return [OfflineMark(client_made_id(mark, "client_id"), int(mark["phase"]), int(mark["step"]), str(mark["mark"]),
                            str(mark.get("note") or ""),
                            None if mark.get("elapsed_seconds") is None else float(mark["elapsed_seconds"]),
                            device_time(mark)) for mark in marks]
    except (KeyError, TypeError, ValueError, OverflowError):
        abort(400, description="a mark has a phase, a step and a mark, and elapsed_seconds in seconds")


@bp.post("/api/offline/drills")
@roles_required("inspector", "admin")
def offline_drill():
    """A drill run offline: ``{client_id, ticket, version, participants, started_at, marks, ratings,
    finished_at}``, each participant named as an attempt's worker is; the same record again answers with the
    stored run."""
    payload = json_payload()
    ratings, participants = payload.get("ratings") or {}, payload.get("participants") or []
    if not isinstance(ratings, dict) or not isinstance(participants, list) or len(participants) > PICKER_SIZE \
            or not all(phase.isascii() and phase.isdigit() and len(phase) < 4 and isinstance(rating, str)
            for phase, rating in ratings.items()):
        abort(400, description="ratings maps a phase number to its rating, participants is a list of workers")
    try:
        version = int(payload.get("version"))
    except (TypeError, ValueError, OverflowError):
        version = 0
    if not 0 < version < ROW_ID_LIMIT:
        abort(400, description="version is a drill template version's id")
    run = record_offline_drill(
        db.session, ticket=read_signed(current_app.secret_key, payload.get("ticket")), examiner=current_user,
        client_id=client_made_id(payload, "client_id"), template_version_id=version,
        participants=participants, started=device_time(payload, "started_at"),
        marks=_marks(payload), ratings=ratings, finished=device_time(payload, "finished_at"),
        rectify_days=current_app.config["QUIZAPP_REEXAM_DAYS"])
    db.session.commit()
    return jsonify({"score": run.score, "passed": run.passed, "url": url_for("drills.run", token=run.public_token)})
