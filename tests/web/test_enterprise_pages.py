"""Enterprise pages: who may do what, and the credit code's check character."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quizapp.models import Enterprise, Worker
from tests.conftest import VALID_CREDIT_CODE

FORM = {"credit_code": "91371300MA3C8H1X2P", "name": "临沂某铝业有限公司", "county": "罗庄区",
        "address": "罗庄区某路1号", "contact_name": "王经理", "contact_phone": "0539-1234567",
        "industry_codes": ["nonferrous", "combustible-dust"]}


@pytest.fixture
def admin(auth, imported_bank):
    return auth.login_as("admin")


def test_admin_creates_and_edits_an_enterprise(admin, client, db):
    response = client.post("/enterprises/new", data=FORM)
    assert response.status_code == 302
    enterprise = db.session.scalar(select(Enterprise))
    assert (enterprise.name, enterprise.industry_codes) == ("临沂某铝业有限公司", ["nonferrous", "combustible-dust"])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "企业信息已保存" in page and "有色" in page and "粉尘涉爆" in page
    client.post(f"/enterprises/{enterprise.qr_token}/edit", data={**FORM, "name": "临沂某铝业股份有限公司",
                                                                  "credit_code": "91371300ma3c8h1x2p"})
    db.session.refresh(enterprise)
    assert (enterprise.name, enterprise.credit_code) == ("临沂某铝业股份有限公司", VALID_CREDIT_CODE)


@pytest.mark.parametrize(("code", "message"), [
    ("91371300MA3C8H1X2J", "校验码是 J，应为 P"),
    ("91371300MA3C8H1X", "统一社会信用代码应为 18 位，而不是 16 位"),
    ("91371300MA3C8H1XIO", "统一社会信用代码中不允许出现这些字符：IO"),
])
def test_a_bad_credit_code_is_refused_at_its_field(admin, client, db, code, message):
    response = client.post("/enterprises/new", data={**FORM, "credit_code": code})
    assert response.status_code == 200
    field = response.get_data(as_text=True).split('name="credit_code"')[1].split('class="field')[0]
    assert message in field
    assert db.session.scalar(select(Enterprise)) is None


def test_a_credit_code_is_registered_once(admin, client, enterprise):
    response = client.post("/enterprises/new", data=FORM)
    assert "已有使用此代码的企业" in response.get_data(as_text=True)


def test_list_and_search(admin, client, enterprise):
    assert "临沂某铝业有限公司" in client.get("/enterprises/?q=罗庄").get_data(as_text=True)
    assert "临沂某铝业有限公司" not in client.get("/enterprises/?q=河东").get_data(as_text=True)


def test_enterprise_users_see_only_their_own_enterprise(auth, client, db, enterprise):
    other = Enterprise(credit_code="91371300MA3C8H1X3T", name="另一家公司")
    db.session.add(other)
    db.session.commit()
    auth.login_as("enterprise", enterprise=enterprise)
    assert client.get(f"/enterprises/{enterprise.qr_token}").status_code == 200
    assert client.get(f"/enterprises/{other.qr_token}").status_code == 404
    assert client.get("/enterprises/").status_code == 403
    assert client.get(f"/enterprises/{enterprise.qr_token}/edit").status_code == 403


def test_inspectors_may_look_but_not_edit(auth, client, enterprise):
    auth.login_as("inspector")
    assert client.get("/enterprises/").status_code == 200
    assert client.get(f"/enterprises/{enterprise.qr_token}").status_code == 200
    assert client.post("/enterprises/new", data=FORM).status_code == 403


WORKER = {"name": "李焊工", "role_code": "special-operator", "post": "电焊", "required_category": "welding-cutting",
          "id_number": "11010519491231002X", "certificate_category": "welding-cutting",
          "certificate_number": "T110105194912310020", "certificate_issued_on": "2023-05-01"}


def test_a_person_is_added_to_the_roster_with_a_masked_id_number(auth, client, db, imported_bank, enterprise):
    auth.login_as("enterprise", enterprise=enterprise)
    response = client.post(f"/enterprises/{enterprise.qr_token}/workers/new", data=WORKER)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "李焊工 已加入人员名单" in page and "1101**********002X" in page
    assert "11010519491231002X" not in page
    [worker] = db.session.scalars(select(Worker)).all()
    assert worker.certificates[0].number == "T110105194912310020"
    again = client.post(f"/enterprises/{enterprise.qr_token}/workers/new", data=WORKER).get_data(as_text=True)
    assert "此人已在企业人员名单中" in again


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"id_number": "110105194912310021"}, "id_number", "校验码为 1，应为 X"),
    ({"certificate_number": ""}, "certificate_number", "证书需要填写编号和发证日期"),
])
def test_roster_errors_show_at_their_field(auth, client, db, imported_bank, enterprise, changes, field, message):
    auth.login_as("inspector")
    html = client.post(f"/enterprises/{enterprise.qr_token}/workers/new", data={**WORKER, **changes}).get_data(
        as_text=True)
    assert message in html.split(f'name="{field}"')[1].split('class="field')[0]
    assert db.session.scalar(select(Worker)) is None
