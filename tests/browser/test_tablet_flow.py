"""The inspection on a tablet, in a real browser, by touch: sign in, open the enterprise's QR address and check in,
hand a worker the tablet for a quiz answered by tapping, take it back with the password, mark the spoken part,
and read the result the server stored."""

from __future__ import annotations

import re

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD


def test_a_tablet_quiz_by_touch_from_the_qr_code_to_the_stored_result(tablet, site):
    sign_in(tablet)
    tablet.goto(f"/e/{site.qr_token}")
    tablet.get_by_role("button", name="Check in and start the inspection").tap()
    tablet.wait_for_url(re.compile(r"/inspections/"))
    tablet.get_by_role("button", name="On the tablet").tap()
    tablet.wait_for_url(re.compile(r"/attempts/.+/take"))

    screens = tablet.locator("[data-screen]:not([data-review])")
    for index in range(screens.count()):  # the worker taps an answer on each screen, then the next button
        screen = screens.nth(index)
        screen.locator("label.choice").first.tap()
        tablet.locator("[data-next]").tap()
    assert tablet.locator("[data-review-list] button.answered").count() == screens.count()
    tablet.get_by_role("button", name="Hand in").tap()

    tablet.wait_for_selector(".handback")
    assert tablet.locator("nav a").count() == 0  # the worker cannot leave the quiz: no menu
    tablet.get_by_label("Inspector's password").fill(PASSWORD)
    tablet.get_by_role("button", name="Inspector: take the tablet back").tap()
    tablet.wait_for_url(re.compile(r"/attempts/.+/mark"))
    for mark in tablet.locator("input[data-quick-mark='correct']").all():
        mark.tap()
    for step in tablet.locator("input[type=radio][value='done']").all():
        step.tap()
    tablet.get_by_role("button", name="Score the paper").tap()
    tablet.wait_for_url(re.compile(r"/attempts/[^/]+$"))

    shown = float(tablet.locator(".score-figure").inner_text().split("/")[0])
    attempt = db.session.scalars(select(Attempt)).one()
    assert attempt.status == "final" and attempt.score == shown
    assert attempt.responses[0] is not None  # the first item was answered by a tap
