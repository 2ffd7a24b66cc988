"""The dashboard and item-statistics pages: who may open them, their tables and links, and charts that read back."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest

from tests.analytics.test_dashboard import svg_texts, write_city

FIRST_HALF_2026 = "start=2026-01-01&end=2026-06-30"
SVG_TEXT = "{http://www.w3.org/2000/svg}text"


@pytest.fixture
def city(db):
    return write_city(db)


def inline_charts(page: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", page, flags=re.DOTALL)


@pytest.mark.parametrize(("role", "path", "status"), [
    ("admin", "/dashboard/", 200), ("inspector", "/dashboard/", 200), ("enterprise", "/dashboard/", 403),
    ("admin", "/dashboard/items", 200), ("inspector", "/dashboard/items", 403), ("enterprise", "/dashboard/items", 403),
])
def test_who_may_open_which_page(auth, client, enterprise, role, path, status):
    auth.login_as(role, enterprise=enterprise if role == "enterprise" else None)
    assert client.get(path).status_code == status


@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/items"])
def test_anonymous_users_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_the_dashboard_shows_counties_with_links_and_readable_charts(auth, client, city):
    auth.login_as("inspector")
    page = client.get(f"/dashboard/?{FIRST_HALF_2026}").get_data(as_text=True)
    assert f'href="/dashboard/?county={quote("罗庄区")}&amp;{FIRST_HALF_2026.replace("&", "&amp;")}"' in page
    assert 'href="/dashboard/?industry=machinery&amp;' in page
    assert "主要负责人" in page and "法律法规" in page
    assert 'href="/dashboard/items"' not in page  # item statistics are for admins
    charts = inline_charts(page)
    assert len(charts) == 4  # pass rates by month, exams by month, by county, weakest topics
    texts = [text for chart in charts for text in svg_texts(chart)]  # each chart parses as XML
    assert {"罗庄区", "兰山区", "法律法规", "动火作业", "2026-03"} <= set(texts)
    for chart in charts:
        for element in ET.fromstring(chart).iter(SVG_TEXT):
            assert "'WenQuanYi Zen Hei'" in element.get("font-family")  # the browser's CJK font, not reportlab's name


def test_a_county_lists_its_enterprises_linked_to_their_pages(auth, client, city):
    auth.login_as("admin")
    page = client.get(f"/dashboard/?county={quote('罗庄区')}&{FIRST_HALF_2026}").get_data(as_text=True)
    assert f'href="/enterprises/{city["jia"].qr_token}"' in page
    assert f'href="/enterprises/{city["yi"].qr_token}"' in page
    assert city["bing"].qr_token not in page
    assert {"甲公司", "乙公司"} <= {text for chart in inline_charts(page) for text in svg_texts(chart)}
    assert 'href="/dashboard/items"' in page


def test_charts_render_without_a_chinese_font(app, auth, client, city, tmp_path):
    app.config["QUIZAPP_PDF_FONT"] = str(tmp_path / "no-such-font.ttf")
    auth.login_as("admin")
    response = client.get(f"/dashboard/?{FIRST_HALF_2026}")
    assert response.status_code == 200
    assert "罗庄区" in [text for chart in inline_charts(response.get_data(as_text=True)) for text in svg_texts(chart)]


def test_a_bad_date_falls_back_to_the_last_twelve_months(auth, client, city):
    auth.login_as("admin")
    response = client.get("/dashboard/?start=yesterday&end=2026-13-01")
    assert response.status_code == 200
    assert 'name="start" value="' in response.get_data(as_text=True)


def test_item_statistics_link_to_the_questions_and_show_reliability(auth, client, city):
    auth.login_as("admin")
    page = client.get("/dashboard/items?sort=facility").get_data(as_text=True)
    assert page.index('href="/bank/q/QA"') < page.index('href="/bank/q/QC"')  # facility 50% before 58%
    assert '<td class="label-cell">现场抽问</td><td>3</td><td>6</td>' in page  # 3 items, 6 results in force
    assert client.get("/dashboard/items?sort=nonsense&flagged=1&page=9").status_code == 200
