"""What the fuzzers found, kept as plain tests: each input once gave a 500 or a message that was no one line."""

from __future__ import annotations

import uuid

import pytest

from quizapp.bank.formats import load_upload
from tests.conftest import table_counts
from tests.web.test_access_matrix import signed_in


def loaded(db, name: str, content: bytes) -> list[str]:
    bank = load_upload(db.session, name, lambda path: path.write_bytes(content))
    return [str(problem) for problem in bank.problems]


def test_a_control_character_in_yaml_is_one_line_without_the_temporary_path(db, imported_bank):
    assert loaded(db, "law.yaml", b"questions:\n- id: A\n  stem: x\x00y\n") == [
        "law.yaml:3: the character U+0000 is not allowed in YAML"]


def test_a_list_as_a_yaml_key_is_a_problem(db, imported_bank):
    assert loaded(db, "law.yaml", b"questions:\n- id: A\n  [1, 2]: x\n") == [
        "law.yaml:3: YAML syntax error: found an unhashable key"]


@pytest.fixture
def inspector(app, scene):
    return signed_in(app, "inspector-user")


@pytest.mark.parametrize(("path", "body"), [
    ("/api/drills/{drill}/start", b"1.5"),
    ("/api/drills/{drill}/marks", b"[]"),
    ("/api/inspections/{inspection}/attempts", b'"text"'),
    ("/api/attempts/{attempt}/submit", b"[" * 5000),
    ("/api/drills/{drill}/marks", b'{"client_id": "%s", "phase": Infinity, "step": 0, "mark": "done"}'
     % str(uuid.uuid4()).encode()),
    ("/api/drills/{drill}/marks", b'{"client_id": "%s", "phase": 0, "step": 0, "mark": "done", '
                                  b'"elapsed_seconds": 1%s}' % (str(uuid.uuid4()).encode(), b"0" * 400)),
    ("/api/drills/{drill}/ratings", b'{"phase": -Infinity, "rating": "P"}'),
], ids=["number", "list", "string", "nested too deep", "infinite phase", "elapsed beyond a float",
        "infinite rating phase"])
def test_json_that_is_no_request_is_a_400(db, scene, inspector, path, body):
    before = table_counts(db)
    response = inspector.post(path.format(**scene), data=body, content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert table_counts(db) == before


def test_a_verification_without_a_note_field_is_saved(db, app, scene):
    response = signed_in(app, "inspector-user").post(
        f"/enterprises/{scene['enterprise']}/review/findings/{scene['finding']}/verify", data={})
    assert response.status_code == 302
