"""An enterprise's review pages through HTTP: who may open them, what they show, rectification and its photo."""

from __future__ import annotations

from io import BytesIO

import pytest

from quizapp.exam.rectification import rectification_state
from quizapp.models import Enterprise, Finding
from tests.analytics.test_enterprise_review import Scene, build_scene, photo_bytes, record_certificate_finding


@pytest.fixture
def scene(db, imported_bank, enterprise, make_user) -> Scene:
    return build_scene(db, enterprise, make_user("inspector"))


@pytest.fixture
def finding(db, scene) -> Finding:
    return record_certificate_finding(db, scene)


@pytest.fixture
def other(db, make_user) -> Enterprise:
    """Another enterprise, with a user of its own."""
    item = Enterprise(credit_code="91371300MA3C8H1X3T", name="另一家企业")
    db.session.add(item)
    db.session.commit()
    make_user("enterprise", username="other-manager", enterprise=item)
    return item


def sign_in(client, auth, username: str) -> None:
    """Sign in as ``username`` (after whoever was signed in), with English pages."""
    client.post("/logout")
    assert auth.login(username).status_code == 302
    client.get("/lang/en")


def urls(enterprise: Enterprise, scene: Scene, finding: Finding) -> list[str]:
    base = f"/enterprises/{enterprise.qr_token}/review"
    return [base, f"{base}/topics", f"{base}/wrong-answers", f"{base}/results/{scene.attempts['李'].public_token}",
            f"{base}/findings/{finding.public_token}/rectify", f"{base}/findings/{finding.public_token}/photo"]


def report(client, enterprise: Enterprise, finding: Finding, note: str = "已停止其焊接作业", photo=None):
    data = {"note": note, **({"photo": photo} if photo else {})}
    return client.post(f"/enterprises/{enterprise.qr_token}/review/findings/{finding.public_token}/rectify",
                       data=data, content_type="multipart/form-data")


def verify(client, enterprise: Enterprise, finding: Finding, decision: str, note: str = "", return_to: str = "review"):
    return client.post(f"/enterprises/{enterprise.qr_token}/review/findings/{finding.public_token}/verify",
                       data={decision: "1", "note": note, "return_to": return_to})


def test_anonymous_users_are_sent_to_login(client, enterprise, scene, finding):
    for url in urls(enterprise, scene, finding):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), url


def test_another_enterprises_user_finds_nothing(client, auth, db, enterprise, scene, finding, other, make_user):
    make_user("enterprise", username="manager", enterprise=enterprise)
    sign_in(client, auth, "manager")
    report(client, enterprise, finding, photo=(photo_bytes(), "fix.jpg"))
    sign_in(client, auth, "other-manager")
    for url in urls(enterprise, scene, finding):
        assert client.get(url).status_code == 404, url
    assert report(client, enterprise, finding, note="冒名").status_code == 404
    mine = f"/enterprises/{other.qr_token}/review"
    assert client.get(mine).status_code == 200
    assert client.get(f"{mine}/results/{scene.attempts['李'].public_token}").status_code == 404
    assert client.get(f"{mine}/findings/{finding.public_token}/photo").status_code == 404
    db.session.refresh(finding)
    assert finding.rectification_note == "已停止其焊接作业"


def test_the_enterprise_sees_its_results_weak_topics_and_wrong_answers(client, auth, enterprise, scene, make_user):
    make_user("enterprise", username="manager", enterprise=enterprise)
    sign_in(client, auth, "manager")
    base = f"/enterprises/{enterprise.qr_token}/review"
    page = client.get(base).get_data(as_text=True)
    assert f'href="{base}"' in page  # the link in the top bar
    reexams = page.split('id="reexams"')[1].split("</section>")[0]
    assert "李" in reexams and "2026-02-14" in reexams and "overdue" in reexams and "钱" not in reexams
    rates = page.split('id="pass-rate"')[1].split("</section>")[0]
    assert "<td>2026-01</td><td>4</td><td>2</td><td>50%</td>" in rates
    assert "<td>2026-02</td><td>1</td><td>1</td><td>100%</td>" in rates
    by_quarter = client.get(f"{base}?period=quarter").get_data(as_text=True)
    assert "<td>2026-Q1</td><td>5</td><td>3</td><td>60%</td>" in by_quarter
    results = page.split('id="results"')[1].split("</section>")[0]
    result_url = f"{base}/results/{scene.attempts['钱 again'].public_token}"
    assert result_url in results and scene.attempts["钱"].public_token not in results
    assert "Right answer" in client.get(f"{base}/results/{scene.attempts['李'].public_token}").get_data(as_text=True)
    assert client.get(result_url).status_code == 200

    topics = client.get(f"{base}/topics").get_data(as_text=True)
    assert "一线从业人员" in topics and "班组长" in topics and "(48)" in topics and "(12)" in topics
    assert "%*" in topics  # small samples are marked
    book = client.get(f"{base}/wrong-answers").get_data(as_text=True)
    assert "Missed 2 of 2 times" in book and "Legal basis" in book and "Right answer" in book


def test_inspectors_and_admins_may_open_any_review_but_not_report_for_the_enterprise(
        client, auth, enterprise, scene, finding, make_user):
    base = f"/enterprises/{enterprise.qr_token}/review"
    for username in ("inspector-user", make_user("admin").username):
        sign_in(client, auth, username)
        assert client.get(base).status_code == 200
        assert client.get(f"{base}/topics").status_code == 200
        assert report(client, enterprise, finding).status_code == 403
    assert finding.rectified_at is None


def test_rectify_send_back_and_verify_through_the_pages(client, auth, db, enterprise, scene, finding, other,
                                                        make_user):
    make_user("enterprise", username="manager", enterprise=enterprise)
    base = f"/enterprises/{enterprise.qr_token}/review"
    sign_in(client, auth, "manager")
    assert "Report rectified" in client.get(base).get_data(as_text=True)
    assert client.get(f"{base}/findings/{finding.public_token}/rectify").status_code == 200
    done = report(client, enterprise, finding, photo=(photo_bytes(), "fix.jpg"))
    assert done.headers["Location"] == f"{base}#findings"
    db.session.refresh(finding)
    assert rectification_state(finding) == "awaiting_verification"
    assert client.get(f"{base}/findings/{finding.public_token}/rectify").headers["Location"] == f"{base}#findings"
    assert verify(client, enterprise, finding, "accept").status_code == 403

    photo_url = f"{base}/findings/{finding.public_token}/photo"
    photo = client.get(photo_url)
    assert (photo.status_code, photo.mimetype) == (200, "image/jpeg") and photo.data[:2] == b"\xff\xd8"
    assert "private" in photo.headers["Cache-Control"]
    photo.close()

    sign_in(client, auth, "inspector-user")
    inspection_url = f"/inspections/{finding.inspection.public_token}"
    page = client.get(inspection_url).get_data(as_text=True)
    assert "Accept the rectification" in page and photo_url in page
    assert client.get(photo_url).status_code == 200
    refused = verify(client, enterprise, finding, "send_back", return_to="inspection")
    assert refused.headers["Location"] == inspection_url
    db.session.refresh(finding)
    assert rectification_state(finding) == "awaiting_verification"  # sending back needs a note
    sent = verify(client, enterprise, finding, "send_back", note="证件复印件未提供", return_to="inspection")
    assert sent.headers["Location"] == inspection_url
    db.session.refresh(finding)
    assert rectification_state(finding) == "sent_back"

    sign_in(client, auth, "manager")
    assert "证件复印件未提供" in client.get(base).get_data(as_text=True)
    report(client, enterprise, finding, note="已补充证件复印件")
    sign_in(client, auth, "inspector-user")
    assert verify(client, enterprise, finding, "accept", note="现场核实").headers["Location"] == f"{base}#findings"
    db.session.refresh(finding)
    assert rectification_state(finding) == "verified" and finding.verification_note == "现场核实"
    assert finding.public_token not in client.get(base).get_data(as_text=True)  # no longer to rectify
    assert "现场核实" in client.get(inspection_url).get_data(as_text=True)

    sign_in(client, auth, "other-manager")
    assert client.get(photo_url).status_code == 404
    client.post("/logout")
    assert client.get(photo_url).status_code == 302


def test_an_upload_must_be_a_photo_of_a_bounded_size(app, client, auth, db, enterprise, scene, finding, make_user):
    make_user("enterprise", username="manager", enterprise=enterprise)
    sign_in(client, auth, "manager")
    not_a_photo = report(client, enterprise, finding, photo=(BytesIO(b"%PDF-1.4 not a photo"), "fix.jpg"))
    assert not_a_photo.status_code == 200 and "the photo must be a JPG or PNG image" in not_a_photo.get_data(
        as_text=True)
    wrong_kind = report(client, enterprise, finding, photo=(photo_bytes(), "fix.gif"))
    assert "Upload a JPG or PNG photo." in wrong_kind.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 2000
    assert report(client, enterprise, finding, photo=(photo_bytes(), "fix.jpg")).status_code == 413
    db.session.refresh(finding)
    assert finding.rectified_at is None and finding.rectification_photo is None


def test_posts_need_the_csrf_token(app, client, auth, db, enterprise, scene, finding, make_user):
    make_user("enterprise", username="manager", enterprise=enterprise)
    sign_in(client, auth, "manager")
    app.config["WTF_CSRF_ENABLED"] = True
    assert report(client, enterprise, finding).status_code == 400
    app.config["WTF_CSRF_ENABLED"] = False
    report(client, enterprise, finding)
    sign_in(client, auth, "inspector-user")
    app.config["WTF_CSRF_ENABLED"] = True
    assert verify(client, enterprise, finding, "accept").status_code == 400
    db.session.refresh(finding)
    assert rectification_state(finding) == "awaiting_verification"
