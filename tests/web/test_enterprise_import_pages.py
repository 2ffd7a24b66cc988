"""Uploading enterprise and roster workbooks: all or nothing, problems on the page, each enterprise its own."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from quizapp.exam.roster import mask_id_number
from quizapp.models import Enterprise, Worker
from tests.conftest import VALID_CREDIT_CODE, table_counts

OTHER_CODE = "91371300MA3C8H1X3T"
ID = "371302199001011233"


def upload(rows: list[list], name: str = "upload.xlsx") -> dict:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    stream = BytesIO()
    book.save(stream)
    stream.seek(0)
    return {"file": (stream, name)}


ENTERPRISES = [["统一社会信用代码", "企业名称", "县区", "行业"],
               [VALID_CREDIT_CODE, "临沂某铝业有限公司", "罗庄区", "有色"],
               [OTHER_CODE, "临沂某冷链物流有限公司", "兰山区", "涉氨制冷"]]
ROSTER = [["姓名", "岗位角色", "岗位", "身份证号", "特种作业类别", "证书编号", "发证日期"],
          ["李焊工", "特种作业人员", "电焊", ID, "焊接与热切割作业", "T1", "2023-05-01"]]


@pytest.fixture
def admin(auth, imported_bank):
    return auth.login_as("admin")


def test_admin_imports_enterprises_from_the_list_page(admin, client, db):
    assert "/enterprises/import" in client.get("/enterprises/").get_data(as_text=True)
    response = client.post("/enterprises/import", data=upload(ENTERPRISES, "企业.xlsx"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/enterprises/")
    assert sorted(db.session.scalars(select(Enterprise.credit_code))) == [VALID_CREDIT_CODE, OTHER_CODE]
    flash = client.get("/enterprises/").get_data(as_text=True).split('class="flash')[1].split("</div>")[0]
    assert re.findall(r"\d+", flash) == ["2", "0", "0"]  # new, updated, unchanged


def test_an_upload_with_problems_lists_them_and_imports_nothing(admin, client, db):
    before = table_counts(db)
    bad = [*ENTERPRISES, [VALID_CREDIT_CODE[:-1] + "J", "某公司", "", "化工"]]
    response = client.post("/enterprises/import", data=upload(bad, "企业.xlsx"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<code>企业.xlsx:4</code> 统一社会信用代码：校验码是 J，应为 P" in page
    assert "<code>企业.xlsx:4</code> 行业：&#39;化工&#39; 既不是分类代码也不是分类名称" in page
    assert table_counts(db) == before


def test_only_xlsx_files_are_taken(admin, client, db):
    response = client.post("/enterprises/import", data={"file": (BytesIO(b"a,b\n"), "enterprises.csv")})
    assert response.status_code == 200
    assert db.session.scalar(select(Enterprise)) is None


def test_the_templates_download_with_their_headers(auth, client, enterprise):
    auth.login_as("enterprise", enterprise=enterprise)
    response = client.get("/enterprises/import-template/roster.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.data)).active
    assert [cell.value for cell in sheet[1]][:3] == ["姓名", "岗位角色", "岗位"]
    assert client.get("/enterprises/import-template/other.xlsx").status_code == 404


def test_an_enterprise_user_imports_the_own_roster(auth, client, db, imported_bank, enterprise):
    auth.login_as("enterprise", enterprise=enterprise)
    page = client.get(f"/enterprises/{enterprise.qr_token}").get_data(as_text=True)
    assert f"/enterprises/{enterprise.qr_token}/workers/import" in page
    response = client.post(f"/enterprises/{enterprise.qr_token}/workers/import", data=upload(ROSTER))
    assert response.status_code == 302
    [worker] = db.session.scalars(select(Worker)).all()
    assert (worker.enterprise_id, worker.id_number_masked, worker.certificates[0].number) == (
        enterprise.id, mask_id_number(ID), "T1")
    assert ID not in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_roster_with_problems_imports_nothing(auth, client, db, imported_bank, enterprise):
    auth.login_as("inspector")
    bad = [*ROSTER, ["王帮工", "操作工", "辅助工"]]
    response = client.post(f"/enterprises/{enterprise.qr_token}/workers/import", data=upload(bad, "人员.xlsx"))
    assert "<code>人员.xlsx:3</code> 岗位角色" in response.get_data(as_text=True)
    assert db.session.scalar(select(Worker)) is None


def test_another_enterprise_user_gets_404_and_anonymous_users_sign_in(auth, client, db, imported_bank, enterprise):
    url = f"/enterprises/{enterprise.qr_token}/workers/import"
    assert "/login" in client.get(url).headers["Location"]
    assert "/login" in client.post("/enterprises/import", data=upload(ENTERPRISES)).headers["Location"]
    other = Enterprise(credit_code=OTHER_CODE, name="另一家公司")
    db.session.add(other)
    db.session.commit()
    auth.login_as("enterprise", enterprise=other)
    assert client.get(url).status_code == 404
    assert client.post(url, data=upload(ROSTER)).status_code == 404
    assert client.get("/enterprises/import").status_code == 403
    assert db.session.scalar(select(Worker)) is None
