"""Checking in by scanning the poster, the inspection page, and closing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from quizapp.exam.inspections import check_in, local_today
from quizapp.models import Certificate, Inspection, TeamMember, Worker


def inspections(db) -> list[Inspection]:
    return db.session.scalars(select(Inspection)).all()


def test_scanning_the_poster_starts_an_inspection_and_a_second_scan_opens_it(auth, client, db, enterprise):
    inspector = auth.login_as("inspector")
    page = client.get(f"/e/{enterprise.qr_token}").get_data(as_text=True)
    assert "签到并开始检查" in page
    response = client.post(f"/e/{enterprise.qr_token}", data={"kind": "assistance"})
    [inspection] = inspections(db)
    assert response.headers["Location"] == f"/inspections/{inspection.public_token}"
    assert (inspection.kind, inspection.status, inspection.opened_by_id) == ("assistance", "open", inspector.id)
    assert [member.user_id for member in inspection.team] == [inspector.id]
    again = client.get(f"/e/{enterprise.qr_token}")
    assert again.headers["Location"] == f"/inspections/{inspection.public_token}"
    client.post(f"/e/{enterprise.qr_token}", data={"kind": "routine"})
    assert len(inspections(db)) == 1
    assert db.session.scalar(select(func.count()).select_from(TeamMember)) == 1


def test_a_second_inspector_joins_the_same_inspection(app, auth, client, db, enterprise, make_user):
    first = make_user("inspector", "first")
    inspection = check_in(db.session, enterprise, first, "routine")
    db.session.commit()
    second = auth.login_as("inspector")
    page = client.get(f"/e/{enterprise.qr_token}").get_data(as_text=True)
    assert "加入检查" in page
    client.post(f"/e/{enterprise.qr_token}", data={"kind": "routine"})
    db.session.refresh(inspection)
    assert [member.user_id for member in inspection.team] == [first.id, second.id]


def test_the_day_is_the_day_in_shanghai():
    assert local_today(datetime(2026, 6, 30, 17, 0, tzinfo=UTC)) == date(2026, 7, 1)
    assert local_today(datetime(2026, 6, 30, 15, 59, tzinfo=UTC)) == date(2026, 6, 30)


def test_the_database_allows_one_open_inspection_per_enterprise_and_day(db, enterprise, make_user):
    inspector = make_user("inspector")
    today = local_today()
    db.session.add(Inspection(enterprise=enterprise, local_date=today, opened_by_id=inspector.id))
    db.session.commit()
    db.session.add(Inspection(enterprise=enterprise, local_date=today, opened_by_id=inspector.id))
    with pytest.raises(Exception):  # noqa: B017 - IntegrityError from either database
        db.session.commit()
    db.session.rollback()


def test_unknown_token_and_who_may_scan(auth, client, enterprise):
    auth.login_as("enterprise", enterprise=enterprise)
    assert client.get(f"/e/{enterprise.qr_token}").status_code == 403
    client.post("/logout")
    assert client.get(f"/e/{enterprise.qr_token}").headers["Location"].startswith("/login?next=")
    auth.login_as("inspector")
    assert client.get("/e/no-such-token").status_code == 404
    assert client.get("/inspections/no-such-token").status_code == 404


def test_inspection_page_flags_certificates(auth, client, db, enterprise):
    inspector = auth.login_as("inspector")
    welder = Worker(enterprise=enterprise, name="李焊工", role_code="special-operator", post="电焊",
                    required_category="welding-cutting")
    welder.certificates.append(Certificate(category_code="welding-cutting", number="T-OLD",
                                           issued_on=date(2018, 1, 5)))
    db.session.add_all([welder, Worker(enterprise=enterprise, name="王电工", role_code="special-operator",
                                       post="电工", required_category="electrical")])
    inspection = check_in(db.session, enterprise, inspector)
    db.session.commit()
    page = client.get(f"/inspections/{inspection.public_token}").get_data(as_text=True)
    assert "T-OLD · 已过期" in page
    assert "无证" in page


def test_closing_by_a_team_member_and_not_twice(auth, client, db, enterprise, make_user):
    outsider = make_user("inspector", "outsider")
    inspector = auth.login_as("inspector")
    inspection = check_in(db.session, enterprise, outsider)
    db.session.commit()
    page = client.post(f"/inspections/{inspection.public_token}/close", follow_redirects=True)
    assert "只有检查组成员可以结束检查" in page.get_data(as_text=True)
    check_in(db.session, enterprise, inspector)
    db.session.commit()
    page = client.post(f"/inspections/{inspection.public_token}/close", follow_redirects=True)
    assert "检查已结束" in page.get_data(as_text=True)
    db.session.refresh(inspection)
    assert inspection.status == "closed" and inspection.closed_at is not None
    page = client.post(f"/inspections/{inspection.public_token}/close", follow_redirects=True)
    assert "检查已经结束" in page.get_data(as_text=True)


def test_a_race_between_two_tablets_ends_in_one_inspection(db, enterprise, make_user, monkeypatch):
    """The second tablet looked before the first one wrote: the database's rule decides."""
    from quizapp.exam import inspections as module

    first_inspector, second_inspector = make_user("inspector", "a"), make_user("inspector", "b")
    first = check_in(db.session, enterprise, first_inspector)
    db.session.commit()
    real, calls = module.open_inspection_today, []

    def looked_too_early(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(module, "open_inspection_today", looked_too_early)
    second = check_in(db.session, enterprise, second_inspector)
    db.session.commit()
    assert second.id == first.id
    assert len(inspections(db)) == 1
    assert {member.user_id for member in second.team} == {first_inspector.id, second_inspector.id}


def test_a_person_met_on_site_is_added_from_the_inspection_and_the_inspector_comes_back_to_it(
        auth, client, db, imported_bank, enterprise):
    auth.login_as("inspector")
    client.post(f"/e/{enterprise.qr_token}", data={"kind": "routine"})
    [inspection] = inspections(db)
    page = client.get(f"/inspections/{inspection.public_token}").get_data(as_text=True)
    form = f"/enterprises/{enterprise.qr_token}/workers/new?inspection={inspection.public_token}"
    assert f'href="{form}"' in page
    person = {"name": "钱新工", "role_code": "worker", "post": "熔铸"}
    assert client.post(form, data=person).headers["Location"] == f"/inspections/{inspection.public_token}"
    assert client.post(f"/enterprises/{enterprise.qr_token}/workers/new?inspection=not-this-one",
                       data={**person, "name": "孙新工"}).headers["Location"] == f"/enterprises/{enterprise.qr_token}"
    assert {worker.name for worker in db.session.scalars(select(Worker))} == {"钱新工", "孙新工"}
