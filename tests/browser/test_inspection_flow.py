"""A whole inspection on a tablet, in a real browser, by touch: put a new hire on the roster, examine them aloud,
run a timed drill, close the inspection and print its exam record; after each step, read what the server stored."""

from __future__ import annotations

import re
import subprocess

from playwright.sync_api import Page, expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt, Inspection, Worker
from quizapp.models.drill_run import DrillRun
from tests.browser.conftest import sign_in

NEW_HIRE = {"name": "钱新工", "post": "熔铸", "role": "worker"}
FIRST_CHOICE = {"single": "A", "multiple": ["A"], "judge": True}
"""What tapping an objective item's first choice stores."""


def stored(model, *where):
    """One row as the server thread left it: the test's session may hold an older copy."""
    db.session.expire_all()
    return db.session.scalars(select(model).where(*where)).one()


def shown_score(page: Page) -> float:
    return float(page.locator(".score-figure").inner_text().split("/")[0])


def add_to_roster(page: Page, enterprise_name: str) -> None:
    """From the menu to the enterprise's page, and the person form filled in there."""
    page.get_by_role("link", name="Enterprises", exact=True).tap()
    page.get_by_role("link", name=enterprise_name).tap()
    page.get_by_role("link", name="Add a person").tap()
    page.get_by_label("Full name", exact=True).fill(NEW_HIRE["name"])
    page.get_by_label("Role", exact=True).select_option(NEW_HIRE["role"])
    page.get_by_label("Post", exact=True).fill(NEW_HIRE["post"])
    page.get_by_role("button", name="Save").tap()
    expect(page.get_by_role("status")).to_contain_text(f"{NEW_HIRE['name']} is on the roster.")


def examine_aloud(page: Page, name: str) -> int:
    """Start an oral exam from the person's row and mark every item as the inspector hears it; returns how many."""
    page.get_by_role("row").filter(has_text=name).get_by_role("button", name="Asked aloud").tap()
    page.wait_for_url(re.compile(r"/attempts/.+/mark"))
    cards = page.locator("section.question").all()
    for card in cards:
        if card.locator(".choices").count():  # an objective item: the answer the worker gives
            card.locator("label.choice").first.tap()
        elif card.locator("[data-points]").count():  # an oral item: the quick mark
            card.get_by_role("radio", name="Right", exact=True).tap()
        else:  # 手指口述: each step as shown
            for step in card.get_by_role("radio", name="Done", exact=True).all():
                step.tap()
    page.get_by_role("button", name="Score the paper").tap()
    page.wait_for_url(re.compile(r"/attempts/[^/]+$"))
    return len(cards)


def assert_stored_as_tapped(attempt: Attempt) -> None:
    """Each item holds the mark tapped for it: nothing lost, nothing taken from another item."""
    for item, response in zip(attempt.items, attempt.responses, strict=True):
        if item["type"] == "oral":
            assert response["mark"] == "correct"
        elif item["type"] == "practical":
            assert set(response["steps"]) == {"done"}
        else:
            assert response == FIRST_CHOICE[item["type"]]


def run_drill(page: Page, participant: str) -> int:
    """Register a suggested drill, start the clock, mark each step and rate each phase once it runs, finish it;
    returns the number of steps."""
    page.get_by_role("link", name="Run a drill").tap()
    page.get_by_role("listitem").filter(has_text="suggested").first.get_by_role("radio").tap()
    page.get_by_role("checkbox", name=re.compile(participant)).tap()
    page.get_by_role("button", name="Register and open the drill").tap()
    page.wait_for_url(re.compile(r"/drills/[^/]+$"))

    page.get_by_role("button", name="Start the drill").tap()
    expect(page.locator("[data-clock]")).not_to_have_text("0:00")  # the clock runs: no mark is at 0 s
    steps = page.locator("li.drill-step").all()
    for step in steps:
        step.get_by_role("button", name="Done", exact=True).tap()
        expect(step.locator("[data-state]")).to_contain_text("Done")
    for phase in page.get_by_role("radiogroup", name="Rating of the phase").all():
        phase.get_by_role("radio", name="P · performed").tap()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Finish and score").tap()
    expect(page.locator(".score-figure")).to_be_visible()  # the page reloads once the server has every tap
    return len(steps)


def exam_record(page: Page) -> bytes:
    """The 检查考核记录表 opens inline in a new tab, whose PDF viewer keeps the bytes to itself: they are fetched
    again at the tab's address, with the tablet's cookies."""
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Exam record (PDF)").tap()
    tab = opened.value
    tab.wait_for_url(re.compile(r"/inspections/[^/]+/record\.pdf$"))
    response = page.request.get(tab.url)
    tab.close()
    assert response.ok and response.headers["content-type"] == "application/pdf"
    return response.body()


def pdf_text(pdf: bytes) -> str:
    """As pdftotext reads it, without the spaces and line breaks that can split a name."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return "".join(text.decode().split())


def test_a_whole_inspection_by_touch_from_the_roster_to_the_printed_record(tablet, site):
    sign_in(tablet)
    add_to_roster(tablet, site.name)
    expect(tablet.get_by_role("row").filter(has_text=NEW_HIRE["name"])).to_contain_text(NEW_HIRE["post"])
    hire = stored(Worker, Worker.name == NEW_HIRE["name"])
    assert (hire.enterprise_id, hire.role_code, hire.post) == (site.id, NEW_HIRE["role"], NEW_HIRE["post"])

    tablet.goto(f"/e/{site.qr_token}")  # the poster's QR code
    tablet.get_by_role("button", name="Check in and start the inspection").tap()
    tablet.wait_for_url(re.compile(r"/inspections/"))
    items = examine_aloud(tablet, hire.name)
    attempt = stored(Attempt, Attempt.worker_id == hire.id)
    assert (attempt.mode, attempt.status, attempt.score) == ("oral", "final", shown_score(tablet))
    assert len(attempt.items) == items and {"oral", "practical"} <= {item["type"] for item in attempt.items}
    assert_stored_as_tapped(attempt)

    tablet.get_by_role("link", name="Back to the inspection").tap()
    steps = run_drill(tablet, hire.name)
    drill = stored(DrillRun)
    assert (drill.status, drill.score) == ("finished", shown_score(tablet))
    assert [worker.name for worker in drill.participants] == [hire.name]
    assert len(drill.marks) == steps and all(mark.mark == "done" for mark in drill.marks)
    assert all(mark.elapsed_seconds > 0 for mark in drill.marks)
    assert set(drill.phase_ratings.values()) == {"P"} and len(drill.phase_ratings) == len(drill.content["phases"])

    tablet.get_by_role("link", name="Back to the inspection").tap()
    tablet.get_by_role("button", name="Close the inspection").tap()
    expect(tablet.get_by_role("status")).to_contain_text("The inspection is closed.")
    assert stored(Inspection).status == "closed"

    pdf = exam_record(tablet)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert site.name in text and hire.name in text and drill.content["title"].replace(" ", "") in text
