"""Every JSON endpoint and every form POST, with random payloads: never a 500, and a refusal changes nothing.

The scene is the access matrix's world (an open inspection, a worker, a final result, a drill run, a
practice quiz) plus a tablet attempt in progress, so that requests get past the 404s. Each endpoint is
fuzzed by the persona allowed to use it. A refused request (4xx, or a form shown again with 200) must
leave every table's row count as it was; an accepted one may change what it likes.
"""

from __future__ import annotations

import json
import uuid

from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import PASSWORD, table_counts
from tests.fuzz.strategies import fuzz_settings, json_value, odd_text
from tests.web.test_access_matrix import POLICY, signed_in, url_for_rule

PERSONA_OF_POLICY = {"public": None, "signed_in": "inspector-user", "staff": "inspector-user", "admin": "admin-user",
                     "own_enterprise": "inspector-user", "enterprise_itself": "enterprise_a"}
JSON_ENDPOINTS = {
    "api.start": ("client_id", "worker", "allow_short"),
    "api.submit": ("submission_id", "responses"),
    "api.drill_start": ("device_time",),
    "api.drill_mark": ("client_id", "phase", "step", "mark", "note", "elapsed_seconds", "device_time"),
    "api.drill_rating": ("phase", "rating"),
    "api.drill_finish": (),
    "field.download_pack": ("enterprises", "password"),
    "field.offline_attempt": ("client_id", "submission_id", "paper", "worker", "mode", "fields", "started_at",
                              "submitted_at"),
    "field.offline_correction": ("client_id", "submission_id", "reason", "fields"),
    "field.offline_drill": ("client_id", "ticket", "version", "participants", "started_at", "marks", "ratings",
                            "finished_at"),
}
FORM_ENDPOINTS = (
    "auth.login", "auth.logout", "bank.edit", "bank.upload", "blueprints.edit", "blueprints.restore",
    "drill_templates.edit", "enterprises.create", "enterprises.import_enterprises_page", "enterprises.edit",
    "enterprises.add_worker_page", "enterprises.import_roster_page", "inspections.scan", "inspections.close",
    "exams.start", "exams.take", "exams.unlock", "exams.mark", "exams.correct", "sheets.print_page", "sheets.enter",
    "drills.new", "drills.not_held", "review.rectify", "review.verify", "practice.index", "practice.take",
    "personal_data.erase",
)
CLOSING_ENDPOINTS = ("inspections.close", "personal_data.erase")
"""Fuzzed last, in this order: once they are accepted, the scene's inspection is closed or its worker erased."""
FORM_FIELDS = (
    "q0", "q1", "q2", "q3", "q9", "q0_b0", "q0_b1", "q1_b0", "q0_points", "q1_points", "q0_mark", "q1_mark",
    "q0_note", "q0_s0", "q0_s1", "q1_s0", "q99", "q-1", "q0_b99", "q0_s99", "submission_id", "client_id", "worker",
    "mode", "allow_short", "password", "reason", "kind", "role", "count", "template", "participants", "note",
    "return_to", "accept", "send_back", "workers", "topics", "length", "name", "credit_code", "county", "address",
    "contact_name", "contact_phone", "industry_codes", "role_code", "post", "required_category", "id_number",
    "certificate_category", "certificate_number", "certificate_issued_on", "certificate_reviewed_on", "stem",
    "options", "answer", "key_points", "steps", "explanation", "basis", "roles", "industries", "difficulty", "status",
    "text", "item_counts-single", "item_counts-judge", "item_counts-oral", "pass_mark", "multiple_rule",
    "time_limit_minutes", "difficulty_min", "difficulty_max", "emphasised_topics", "username", "remember", "dry_run",
)
PLAIN_VALUES = ("", "0", "1", "-1", "2", "99999999999999999999999", "1e309", "nan", "true", "false", "A", "B", "AB",
                "done", "missed", "late", "wrong", "out_of_order", "correct", "partial", "prompted", "P", "S", "M", "U",
                "routine", "worker", "team-leader", "oral", "tablet", "paper", "2023-05-01", "2023-02-30", "review",
                "inspection", "half_for_subset", "active", "retired", "work-safety-law 28", "安全生产法 28", "正确",
                "correct horse battery", "not-a-uuid", "00000000-0000-0000-0000-000000000000")


def real_tokens(scene: dict) -> list[str]:
    return [scene[key] for key in ("enterprise", "inspection", "attempt", "final_attempt", "drill", "finding", "quiz",
                                   "sheet", "code", "drill_code")] + scene["workers"]


def client_for(app, endpoint: str):
    return signed_in(app, PERSONA_OF_POLICY[POLICY[endpoint]])


def rule_url(app, scene: dict, endpoint: str) -> str:
    """The endpoint's URL on the scene; a correction is of the final result, everything else the paper in progress."""
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    if endpoint == "exams.correct":
        scene = {**scene, "attempt": scene["final_attempt"]}
    return url_for_rule(rule, scene)


def assert_refusal_changes_nothing(db, response, before: dict, where: str, shown_again_is_refusal: bool) -> None:
    """No 500; a 4xx (or, for a form, the form shown again) wrote nothing."""
    assert response.status_code < 500, f"{where}: {response.status_code} {response.get_data(as_text=True)[-1500:]}"
    if response.status_code >= 400 or (shown_again_is_refusal and response.status_code == 200):
        assert table_counts(db) == before, f"{where}: refused with {response.status_code} but wrote"


def test_every_post_endpoint_is_fuzzed(app):
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posts == set(JSON_ENDPOINTS) | set(FORM_ENDPOINTS)


# --- JSON ----------------------------------------------------------------------------------------

api_json_value = st.one_of(json_value, st.sampled_from((float("nan"), float("inf"), -float("inf"), 10**400, 1e308)))


def plausible_json(scene: dict) -> dict[str, st.SearchStrategy]:
    """Values of the right shape for each field, so that requests get past the first check often enough."""
    answer = st.one_of(st.none(), st.sampled_from(("A", "B", "C", "E", "", "a")), st.booleans(),
                       st.lists(st.sampled_from("ABCDEFGH"), max_size=4), st.lists(odd_text(6), max_size=3),
                       st.fixed_dictionaries({"points": st.lists(st.integers(-1, 5), max_size=4)},
                                             optional={"mark": st.sampled_from(("correct", "wrong", "x")),
                                                       "note": odd_text()}),
                       st.fixed_dictionaries({"steps": st.lists(st.sampled_from(("done", "missed", "x")),
                                                                max_size=6)}))
    length = scene["paper_length"]
    device_time = st.one_of(st.datetimes(timezones=st.none() | st.timezones()).map(lambda t: t.isoformat()),
                            odd_text())
    mark = st.fixed_dictionaries({"client_id": st.uuids().map(str), "phase": st.integers(-1, 4),
                                  "step": st.integers(-1, 6),
                                  "mark": st.sampled_from(("done", "late", "wrong", "missed", "DONE"))},
                                 optional={"note": odd_text(), "elapsed_seconds": st.floats(-10, 90_000),
                                           "device_time": device_time})
    return {
        "client_id": st.uuids().map(str), "submission_id": st.uuids().map(str),
        "worker": st.sampled_from(scene["workers"]), "allow_short": st.booleans(),
        "responses": st.lists(answer, min_size=max(length - 1, 0), max_size=length + 1),
        "phase": st.integers(-1, 4), "step": st.integers(-1, 6),
        "mark": st.sampled_from(("done", "late", "wrong", "missed", "DONE")), "note": odd_text(),
        "elapsed_seconds": st.one_of(st.floats(-10, 90_000), st.integers(-10, 90_000)),
        "device_time": device_time, "started_at": device_time, "submitted_at": device_time,
        "finished_at": device_time, "rating": st.sampled_from(("P", "S", "M", "U", "p", "X")),
        "enterprises": st.lists(st.sampled_from(real_tokens(scene)), max_size=3),
        "password": st.sampled_from((PASSWORD, "", "wrong")), "reason": odd_text(),
        "paper": st.sampled_from(scene["pack_papers"]), "ticket": st.just(scene["ticket"]),
        "mode": st.sampled_from(("tablet", "oral", "paper", "")),
        "fields": st.dictionaries(st.sampled_from(FORM_FIELDS), st.lists(st.sampled_from(PLAIN_VALUES), max_size=3),
                                  max_size=8),
        "version": st.one_of(st.sampled_from(scene["drill_versions"]), st.integers(-1, 10**6)),
        "participants": st.lists(st.sampled_from(scene["workers"]), max_size=3),
        "marks": st.lists(mark, max_size=4),
        "ratings": st.dictionaries(st.sampled_from(("0", "1", "2", "9", "x")),
                                   st.sampled_from(("P", "S", "M", "U", "X")), max_size=3),
    }


@st.composite
def json_body(draw, fields: tuple[str, ...], tokens: list[str], plausible: dict[str, st.SearchStrategy]) -> bytes:
    """A payload of any shape: any JSON value, or the endpoint's fields (some missing, some extra) with values of
    the right shape or of any type, real tokens and UUIDs among them; sometimes not JSON at all."""
    anything = st.one_of(api_json_value, st.sampled_from(tokens), st.uuids().map(str),
                         st.sampled_from(PLAIN_VALUES), st.integers(-3, 12))
    body = draw(st.fixed_dictionaries({name: plausible[name] for name in fields}))
    for name in draw(st.lists(st.sampled_from(fields), max_size=3)) if fields else ():
        if draw(st.booleans()):
            body.pop(name, None)
        else:
            body[name] = draw(anything)
    body.update(draw(st.dictionaries(odd_text(12), api_json_value, max_size=2)))
    if draw(st.integers(0, 4)) == 4:  # (the last choice: Hypothesis leans towards the first)
        body = draw(api_json_value)
    if draw(st.integers(0, 9)) == 9:
        return draw(st.one_of(st.binary(max_size=200), st.just(b'{"phase": Infinity, "step": NaN}'),
                              st.just(b"[" * 5000), st.just(b'{"client_id": "' + b"\xff" * 10 + b'"}')))
    return json.dumps(body).encode()


def fuzz_each(endpoints, fuzz_one) -> None:
    """Fuzz every endpoint on one scene (building it costs more than fifty requests), then report every failure."""
    failures = {}
    for endpoint in endpoints:
        try:
            fuzz_one(endpoint)
        except Exception as error:  # noqa: BLE001 (collected, so that one endpoint's bug hides no other's)
            failures[endpoint] = error
    assert not failures, failures


def test_json_endpoints(app, db, scene):
    tokens, plausible = real_tokens(scene), plausible_json(scene)

    def fuzz(endpoint: str) -> None:
        client, url = client_for(app, endpoint), rule_url(app, scene, endpoint)

        @fuzz_settings
        @given(body=json_body(JSON_ENDPOINTS[endpoint], tokens, plausible))
        def post(body):
            before = table_counts(db)
            response = client.post(url, data=body, content_type="application/json")
            assert_refusal_changes_nothing(db, response, before, f"{endpoint} {body[:300]!r}", False)

        post()

    fuzz_each(sorted(JSON_ENDPOINTS, key=lambda endpoint: endpoint == "api.drill_finish"), fuzz)


# --- forms ---------------------------------------------------------------------------------------


@st.composite
def form_data(draw, tokens: list[str]) -> dict:
    """Random field names and values, the paper's own field names (q0, q0_b0, q0_points, q0_s0 …) among them."""
    value = st.one_of(odd_text(), st.sampled_from(PLAIN_VALUES), st.sampled_from(tokens), st.uuids().map(str),
                      st.integers().map(str))
    names = st.one_of(st.sampled_from(FORM_FIELDS), odd_text(12))
    fields = draw(st.dictionaries(names, st.one_of(value, st.lists(value, min_size=2, max_size=4)), max_size=12))
    if draw(st.booleans()):  # most forms need a fresh request id to get anywhere
        fields.setdefault(draw(st.sampled_from(("client_id", "submission_id"))), str(uuid.uuid4()))
    return fields


def test_form_posts(app, db, scene):
    tokens = real_tokens(scene)

    def fuzz(endpoint: str) -> None:
        client, url = client_for(app, endpoint), rule_url(app, scene, endpoint)

        @fuzz_settings
        @given(fields=form_data(tokens))
        def post(fields):
            before = table_counts(db)
            response = client.post(url, data=fields)
            assert_refusal_changes_nothing(db, response, before, f"{endpoint} {fields!r}"[:600], True)

        post()

    fuzz_each(sorted(FORM_ENDPOINTS, key=lambda endpoint: (CLOSING_ENDPOINTS + (endpoint,)).index(endpoint)), fuzz)
