"""A NUL character anywhere in a request is refused with 400 before a view can try to store it (PostgreSQL cannot)."""

from __future__ import annotations

from io import BytesIO

import pytest

from tests.conftest import table_counts


@pytest.fixture
def admin_client(auth, enterprise, client):
    auth.login_as("admin")
    client.get("/lang/en")
    return client


@pytest.mark.parametrize("send", [
    lambda client, token: client.post(f"/enterprises/{token}/edit", data={"credit_code": "91371300MA3C8H1X2P",
                                                                          "name": "某\x00公司"}),
    lambda client, token: client.post(f"/enterprises/{token}/edit", data={"name\x00": "x"}),
    lambda client, token: client.get("/enterprises/", query_string={"q": "\x00"}),
    lambda client, token: client.get(f"/enterprises/{token}%00"),
    lambda client, token: client.post("/bank/upload", data={"file": (BytesIO(b"questions: []"), "a\x00.yaml")},
                                      content_type="multipart/form-data"),
    lambda client, token: client.post("/api/drills/x/marks", json={"note": ["ok", {"deep": "\x00"}]}),
], ids=["form value", "form key", "query", "path", "file name", "json"])
def test_a_nul_character_is_refused(db, admin_client, enterprise, send):
    before = table_counts(db)
    response = send(admin_client, enterprise.qr_token)
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    assert table_counts(db) == before


def test_text_without_one_still_passes(db, admin_client, enterprise):
    response = admin_client.post(f"/enterprises/{enterprise.qr_token}/edit",
                                 data={"credit_code": enterprise.credit_code, "name": "临沂某铝业集团"})
    assert response.status_code == 302
    db.session.refresh(enterprise)
    assert enterprise.name == "临沂某铝业集团"
