"""The entrance poster (入企扫码), read back as a viewer and a scanner would: text, fonts, page, QR code."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4

from quizapp.models import Enterprise
from quizapp.pdf.poster import enterprise_poster
from tests.pdf.pdfcheck import assert_fonts_embedded, installed_cjk_font, qr_codes_in, text_of


@pytest.fixture
def font() -> str:
    return installed_cjk_font()


@pytest.fixture
def poster(auth, client, enterprise, font) -> bytes:
    """The poster as an admin downloads it."""
    auth.login_as("admin")
    response = client.get(f"/enterprises/{enterprise.qr_token}/poster.pdf")
    assert response.status_code == 200
    return response.data


def test_the_poster_names_the_enterprise_and_its_county(poster):
    text = text_of(poster)
    assert "临沂某铝业有限公司" in text and "罗庄区" in text and "逢查必考·入企扫码" in text


def test_the_qr_code_opens_the_enterprise_check_in_url(poster, enterprise, tmp_path):
    assert qr_codes_in(poster, tmp_path) == [f"http://localhost/e/{enterprise.qr_token}"]


def test_the_poster_is_one_a4_page(poster):
    [page] = PdfReader(BytesIO(poster)).pages
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.5)


def test_every_font_is_embedded(poster):
    assert_fonts_embedded(poster)


def test_a_long_name_with_markup_characters_wraps_onto_the_same_page(font, tmp_path):
    name = "临沂市罗庄区某某新材料科技股份有限公司第二分公司（原R&D<中心>）" * 5
    url = "https://quiz.example.gov.cn/e/token"
    pdf = enterprise_poster(name, "", url, font)
    assert len(PdfReader(BytesIO(pdf)).pages) == 1
    assert name in text_of(pdf)
    assert qr_codes_in(pdf, tmp_path) == [url]


def test_admins_and_inspectors_get_the_pdf_inline(auth, client, enterprise, font):
    auth.login_as("inspector")
    response = client.get(f"/enterprises/{enterprise.qr_token}/poster.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline") and ".pdf" in disposition
    assert response.data.startswith(b"%PDF")


def test_enterprise_users_print_only_their_own_poster(auth, client, db, enterprise, font):
    other = Enterprise(credit_code="91371300MA3C8H1X3T", name="另一家公司")
    db.session.add(other)
    db.session.commit()
    auth.login_as("enterprise", enterprise=other)
    assert client.get(f"/enterprises/{enterprise.qr_token}/poster.pdf").status_code == 404
    assert client.get(f"/enterprises/{other.qr_token}/poster.pdf").status_code == 200


def test_anonymous_users_are_sent_to_login(client, enterprise):
    response = client.get(f"/enterprises/{enterprise.qr_token}/poster.pdf")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_enterprise_page_links_to_its_poster(auth, client, enterprise):
    auth.login_as("admin")
    page = client.get(f"/enterprises/{enterprise.qr_token}").get_data(as_text=True)
    assert f'href="/enterprises/{enterprise.qr_token}/poster.pdf"' in page


def test_without_a_font_the_page_says_how_to_install_one(app, auth, client, enterprise, tmp_path):
    app.config["QUIZAPP_PDF_FONT"] = str(tmp_path / "missing.ttc")
    auth.login_as("admin")
    response = client.get(f"/enterprises/{enterprise.qr_token}/poster.pdf")
    assert response.status_code == 302 and response.headers["Location"] == f"/enterprises/{enterprise.qr_token}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "apt-get install fonts-wqy-zenhei" in page and "QUIZAPP_PDF_FONT" in page
