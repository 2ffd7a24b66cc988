"""A worker's personal data, for admins: everything held on them as one JSON file (PIPL art. 45), and erasing them
(art. 47). Admins only: the bureau holds the data of every enterprise and answers a person's request; an
enterprise or an inspector passes such a request on to it.
"""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from quizapp.exam.personal_data import ErasureError, erase_worker, personal_data, remove_photos
from quizapp.extensions import db
from quizapp.forms.personal_data import EraseWorkerForm
from quizapp.models import Worker
from quizapp.web.access import roles_required
from quizapp.web.i18n import translate_message
from quizapp.web.review import UPLOAD_FOLDER

bp = Blueprint("personal_data", __name__, url_prefix="/workers/<worker>")


def _worker_or_404(token: str, *, erased_too: bool = True) -> Worker:
    query = select(Worker).where(Worker.public_token == token)
    return db.first_or_404(query if erased_too else query.where(Worker.erased_at.is_(None)))


@bp.route("/personal-data.json")
@roles_required("admin")
def export(worker: str):
    """Everything held on the worker (after an erasure too: what is left), in a file named by the worker's token,
    not their name."""
    document = personal_data(db.session, _worker_or_404(worker))
    response = send_file(BytesIO(json.dumps(document, ensure_ascii=False, indent=2).encode()),
                         mimetype="application/json", as_attachment=True,
                         download_name=f"personal-data-{worker}.json", max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/erase", methods=["POST"])
@roles_required("admin")
def erase(worker: str):
    """Erase the worker after the admin confirmed it and gave a reason; their results stay, anonymous."""
    found = _worker_or_404(worker, erased_too=False)
    enterprise_token = found.enterprise.qr_token
    worker_page = url_for("enterprises.worker_page", token=enterprise_token, worker=worker)
    form = EraseWorkerForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(worker_page)
    try:
        erasure = erase_worker(db.session, found, form.reason.data.strip())
    except ErasureError as error:
        db.session.rollback()
        flash(translate_message(error.args[0]), "error")
        return redirect(worker_page)
    db.session.commit()
    remove_photos(Path(current_app.instance_path) / UPLOAD_FOLDER, erasure.photos)
    flash(_("The person's personal data has been erased; their results stay, under %(label)s.",
            label=erasure.label), "success")
    return redirect(url_for("enterprises.show", token=enterprise_token))
