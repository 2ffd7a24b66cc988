"""Who may open what: every URL rule, asked by anonymous, an inspector, enterprise A, enterprise B and an admin.

Each endpoint must be listed in ``POLICY``; a new route without an entry fails the test, so none escapes.
Allowed GETs must answer (200, or a redirect that is not to the login page); forbidden ones 403, or 404
where another enterprise's existence must not show. POSTs are only sent by those who must be refused,
so the test changes nothing.
"""

from __future__ import annotations

import re
import uuid
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from quizapp.exam.drill_runs import record_drills_not_held
from quizapp.exam.practice import create_practice
from quizapp.exam.rectification import report_rectified
from quizapp.models import Attempt, DrillTemplate, Enterprise, Inspection, PaperSheet, Worker
from quizapp.models.drill_run import DrillRun
from quizapp.web.review import UPLOAD_FOLDER
from tests.conftest import PASSWORD, FreshContextClient

PERSONAS = ("anonymous", "inspector", "enterprise_a", "enterprise_b", "admin")
# public: anyone; signed_in: any account; staff: inspectors and admins; admin: admins only;
# own_enterprise: staff, and the enterprise's own users (another enterprise's users get 404);
# enterprise_itself: only the enterprise's own users (reporting a finding rectified).
POLICY = {
    "static": "public", "auth.login": "public", "auth.set_language": "public",
    "auth.logout": "signed_in", "home.index": "signed_in", "home.service_worker": "public", "home.offline": "public",
    "bank.index": "admin", "bank.question": "admin", "bank.edit": "admin", "bank.upload": "admin",
    "blueprints.index": "admin", "blueprints.edit": "admin", "blueprints.restore": "admin",
    "drill_templates.index": "admin", "drill_templates.show": "admin", "drill_templates.edit": "admin",
    "enterprises.index": "staff", "enterprises.create": "admin", "enterprises.edit": "admin",
    "enterprises.import_enterprises_page": "admin",
    "enterprises.show": "own_enterprise", "enterprises.poster": "own_enterprise",
    "enterprises.add_worker_page": "own_enterprise", "enterprises.import_roster_page": "own_enterprise",
    "enterprises.import_template": "signed_in", "enterprises.worker_page": "own_enterprise",
    "personal_data.export": "admin", "personal_data.erase": "admin",
    "inspections.scan": "staff", "inspections.show": "staff", "inspections.close": "staff",
    "exams.start": "staff", "exams.take": "staff", "exams.unlock": "staff", "exams.mark": "staff",
    "exams.result": "staff", "exams.correct": "staff",
    "sheets.print_page": "staff", "sheets.batch": "staff", "sheets.batch_pdf": "staff", "sheets.enter": "staff",
    "sheets.record_pdf": "staff",
    "drills.new": "staff", "drills.not_held": "staff", "drills.run": "staff", "drills.record_pdf": "own_enterprise",
    "api.start": "staff", "api.submit": "staff", "api.drill_start": "staff", "api.drill_mark": "staff",
    "api.drill_rating": "staff", "api.drill_finish": "staff",
    "field.app": "public", "field.packs": "staff", "field.download_pack": "staff", "field.session_state": "staff",
    "field.offline_attempt": "staff", "field.offline_correction": "staff", "field.offline_drill": "staff",
    "dashboard.index": "staff", "dashboard.items": "admin",
    "review.show": "own_enterprise", "review.topics": "own_enterprise", "review.wrong_answer_book": "own_enterprise",
    "review.result": "own_enterprise", "review.photo": "own_enterprise", "review.rectify": "enterprise_itself",
    "review.verify": "staff",
    "practice.index": "own_enterprise", "practice.take": "own_enterprise",
    "exports.review_table": "own_enterprise", "exports.enterprise_file_page": "own_enterprise",
    "exports.dashboard_table": "staff", "exports.item_table": "admin",
}
ALLOWED = {
    "public": set(PERSONAS), "signed_in": set(PERSONAS) - {"anonymous"},
    "staff": {"inspector", "admin"}, "admin": {"admin"}, "own_enterprise": {"inspector", "admin", "enterprise_a"},
    "enterprise_itself": {"enterprise_a"},
}
OTHER_ENTERPRISE_SEES_404 = {"own_enterprise", "enterprise_itself"}


@pytest.fixture
def world(app, db, imported_bank, enterprise, make_user, client):
    """Enterprise A with an inspection, a result, a paper sheet, a drill and a practice quiz; enterprise B with its
    own user."""
    other = Enterprise(credit_code="91371300MA3C8H1X3T", name="另一家企业")
    worker = Worker(enterprise=enterprise, name="赵师傅", role_code="worker")
    db.session.add_all([other, worker])
    db.session.commit()
    make_user("inspector")
    make_user("admin")
    enterprise_user = make_user("enterprise", username="enterprise_a", enterprise=enterprise)
    make_user("enterprise", username="enterprise_b", enterprise=other)
    staff = signed_in(app, "inspector-user")
    staff.post(f"/e/{enterprise.qr_token}", data={"kind": "routine"})
    inspection = staff.get(f"/e/{enterprise.qr_token}").headers["Location"].rsplit("/", 1)[1]
    staff.post(f"/inspections/{inspection}/exams", data={"worker": worker.public_token,
                                                         "client_id": str(uuid.uuid4()), "mode": "oral"})
    attempt = db.session.scalars(select(Attempt)).one()
    staff.post(f"/attempts/{attempt.public_token}/mark", data={"submission_id": str(uuid.uuid4())})
    staff.post(f"/enterprises/{enterprise.qr_token}/sheets", data={"role": "worker", "count": 1})
    sheet = db.session.scalars(select(PaperSheet)).one()
    template = db.session.scalars(select(DrillTemplate)).first()
    staff.post(f"/inspections/{inspection}/drills/new", data={"client_id": str(uuid.uuid4()),
                                                              "template": template.code})
    run = db.session.scalars(select(DrillRun)).one()
    finding = record_drills_not_held(db.session, db.session.get(Inspection, run.inspection_id))
    photo = BytesIO()
    Image.new("RGB", (8, 8), "white").save(photo, "PNG")
    photo.seek(0)
    report_rectified(db.session, finding, enterprise_user, "已制定演练计划", photo,
                     Path(app.instance_path) / UPLOAD_FOLDER)
    quiz = create_practice(db.session, client_id=str(uuid.uuid4()), enterprise=enterprise, worker=worker,
                           created_by=enterprise_user, topics=[], length=5)
    db.session.commit()
    return {"enterprise": enterprise.qr_token, "inspection": inspection, "attempt": attempt.public_token,
            "quiz": quiz.public_token, "sheet": sheet.token, "batch": sheet.batch, "drill": run.public_token,
            "finding": finding.public_token, "code": imported_bank.questions[0].code, "drill_code": template.code,
            "worker": worker.public_token, "client_id": attempt.client_id}


def signed_in(app, username: str | None) -> FreshContextClient:
    client = app.test_client()
    if username:
        assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return client


def url_for_rule(rule, world: dict) -> str:
    """The rule's URL with the world's real tokens in place of its variables."""
    by_prefix = [("/api/attempts/", "attempt"), ("/api/inspections/", "inspection"), ("/api/drills/", "drill"),
                 ("/enterprises/", "enterprise"), ("/e/", "enterprise"), ("/inspections/", "inspection"),
                 ("/attempts/", "attempt"), ("/drills/", "drill"), ("/s/", "sheet")]
    values = {"locale": "en", "role": "worker", "kind": "roster", "document": "papers", "filename": "css/app.css",
              "batch": world["batch"], "code": world["drill_code"] if "drill-templates" in rule.rule else world["code"],
              "finding": world["finding"], "attempt": world["attempt"], "quiz": world["quiz"],
              "worker": world["worker"], "client_id": world["client_id"]}
    if "token" in rule.arguments:
        values["token"] = world[next(key for prefix, key in by_prefix if rule.rule.startswith(prefix))]
    url = rule.rule
    for argument in rule.arguments & values.keys():
        url = url.replace(f"<{argument}>", values[argument])
        for converter in ("path", "any(papers, key)", "any(enterprises, roster)"):
            url = url.replace(f"<{converter}:{argument}>", values[argument])
    # Any other choice (a download's table and format): its first value.
    return re.sub(r"<any\(\s*'?([^',)]+)'?[^)]*\):\w+>", lambda choice: choice[1], url)


def test_every_route_has_a_policy(app):
    assert {rule.endpoint for rule in app.url_map.iter_rules()} == set(POLICY)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_exactly_what_the_policy_allows(app, world, persona):
    client = signed_in(app, None if persona == "anonymous" else (
        {"inspector": "inspector-user", "admin": "admin-user"}.get(persona, persona)))
    for rule in app.url_map.iter_rules():
        policy = POLICY[rule.endpoint]
        allowed = persona in ALLOWED[policy]
        url = url_for_rule(rule, world)
        method = "GET" if "GET" in rule.methods else "POST"
        if allowed and method == "POST":
            continue  # sent only by those who must be refused: the test changes nothing
        response = client.open(url, method=method, json={} if url.startswith("/api/") and method == "POST" else None)
        where = f"{persona} {method} {url} ({rule.endpoint})"
        if allowed:
            assert response.status_code in (200, 302), where
            assert "/login" not in response.headers.get("Location", ""), where
        elif persona == "anonymous":
            expected = 401 if url.startswith("/api/") else 302
            assert response.status_code == expected, where
        elif persona == "enterprise_b" and policy in OTHER_ENTERPRISE_SEES_404:
            assert response.status_code == 404, where
        else:
            assert response.status_code == 403, where
