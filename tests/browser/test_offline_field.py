"""Offline work in a real browser: download a pack, lose the network, examine a worker from the pack, get the
network back, and find exactly one result on the server; then the same paper with other answers waits as a
conflict until the inspector files it as a correction."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, Worker
from quizapp.models.drill_run import DrillRun
from tests.browser.conftest import sign_in, wait_for_service_worker
from tests.conftest import PASSWORD

RECORD = "window.quizappStore.records().then(found => found[0])"


def download_pack(tablet) -> None:
    tablet.goto("/packs")
    tablet.locator("input[name=enterprise]").first.tap()
    tablet.get_by_label("Inspector's password").fill(PASSWORD)
    tablet.get_by_role("button", name="Download onto this tablet").tap()
    expect(tablet.locator("[data-pack-message]")).to_contain_text("Downloaded: 1")
    wait_for_service_worker(tablet)  # the field app is in its cache


def open_enterprise_offline(tablet, enterprise_name: str) -> None:
    tablet.context.set_offline(True)
    tablet.goto("/field")  # from the service worker's cache
    tablet.get_by_role("link", name=enterprise_name).tap()


def mark_everything_right(tablet) -> None:
    """The inspector's quick mark "right" on every spoken item and "done" on every step (手指口述 among them)."""
    tablet.locator("form.marking").wait_for()
    for mark in tablet.locator("input[data-quick-mark='correct']").all():
        mark.tap()
    for step in tablet.locator("input[type=radio][value='done']").all():
        step.tap()
    tablet.get_by_role("button", name="Score the paper").tap()
    tablet.locator("[data-record='pending']").wait_for()


def take_quiz_offline(tablet, enterprise_name: str) -> None:
    """The worker taps an answer on every screen and hands in; the inspector unlocks with the password and marks."""
    open_enterprise_offline(tablet, enterprise_name)
    tablet.get_by_role("button", name="On the tablet").first.tap()
    screens = tablet.locator("[data-screen]:not([data-review])")
    screens.first.wait_for()
    for index in range(screens.count()):
        screens.nth(index).locator("label.choice").first.tap()
        tablet.locator("[data-next]").tap()
    tablet.get_by_role("button", name="Hand in").tap()
    assert tablet.locator(".topbar a:visible").count() == 0  # in worker mode there is no way out
    tablet.get_by_label("Inspector's password").fill("not the password")
    tablet.get_by_role("button", name="Inspector: take the tablet back").tap()
    expect(tablet.locator(".handback .flash-error")).to_be_visible()
    tablet.get_by_label("Inspector's password").fill(PASSWORD)
    tablet.get_by_role("button", name="Inspector: take the tablet back").tap()
    mark_everything_right(tablet)


def attempts() -> list[Attempt]:
    db.session.expire_all()
    return db.session.scalars(select(Attempt).order_by(Attempt.id)).all()


def send_now(tablet, state: str) -> None:
    """Tap 立即同步 (Send now), wait for the records to be drawn again after the sync, then for one in ``state``."""
    shown = tablet.locator("[data-view] > *").first.element_handle()
    tablet.get_by_role("button", name="Send now").tap()
    shown.wait_for_element_state("hidden")  # detached: the view was drawn again
    tablet.locator(f"[data-record='{state}']").first.wait_for()


def test_an_offline_quiz_reaches_the_server_exactly_once_when_the_network_is_back(tablet, site):
    sign_in(tablet)
    download_pack(tablet)
    take_quiz_offline(tablet, site.name)

    assert attempts() == []  # nothing could reach the server yet
    expect(tablet.locator("[data-sync-banner]")).to_contain_text("1 records waiting to be sent")
    with tablet.expect_download() as download:  # the last resort works offline too
        tablet.get_by_role("button", name="Export waiting records").tap()
    exported = json.loads(open(download.value.path(), encoding="utf-8").read())
    record = tablet.evaluate(RECORD)
    assert [(entry["id"], entry["state"]) for entry in exported["records"]] == [(record["id"], "pending")]
    assert tablet.evaluate("navigator.storage.persisted()") in (True, False)  # asked for; the browser decides

    tablet.context.set_offline(False)
    send_now(tablet, "synced")
    stored = attempts()
    assert len(stored) == 1 and stored[0].client_id == record["id"] and stored[0].status == "final"
    shown = float(re.match(r"[\d.]+", tablet.locator("[data-record] [data-slot=result]").inner_text())[0])
    assert stored[0].score == shown and stored[0].device_submitted_at is not None
    expect(tablet.locator("[data-sync-banner]")).to_be_hidden()

    # The tablet sends the record again (a lost answer, a second copy): the server keeps one result.
    tablet.evaluate(RECORD + ".then(r => { r.state = 'pending'; return window.quizappStore.saveRecord(r); })")
    send_now(tablet, "synced")
    assert len(attempts()) == 1

    # A sent record leaves the tablet two weeks on; the roster leaves it when the inspector removes the pack.
    tablet.evaluate(RECORD + ".then(r => { r.updated = '2000-01-01T00:00:00Z'; "
                             "return window.quizappStore.put('records', r); })")
    tablet.get_by_role("button", name="Send now").tap()
    expect(tablet.locator("[data-slot=empty]")).to_be_visible()
    assert tablet.evaluate("window.quizappStore.records()") == []
    tablet.get_by_role("link", name="All packs").tap()
    tablet.once("dialog", lambda dialog: dialog.accept())
    tablet.get_by_role("button", name="Remove this pack from the tablet").tap()
    expect(tablet.get_by_role("link", name=site.name)).to_have_count(0)
    assert tablet.evaluate("window.quizappStore.all('packs')") == []


def test_the_same_paper_with_other_answers_waits_as_a_conflict_for_the_inspector(tablet, site):
    sign_in(tablet)
    download_pack(tablet)
    take_quiz_offline(tablet, site.name)
    tablet.context.set_offline(False)
    send_now(tablet, "synced")
    first = attempts()[0]

    # Another copy of the same paper with every answer left blank, as a second tablet might send it.
    tablet.evaluate(RECORD + ".then(r => { r.state = 'pending'; r.body.fields = {}; r.body.submission_id = "
                             "window.quizapp.uuid4(); return window.quizappStore.saveRecord(r); })")
    send_now(tablet, "conflict")
    expect(tablet.locator("[data-sync-banner]")).to_contain_text("1 conflicts for the inspector")
    expect(tablet.locator("[data-record] [data-slot=stored]")).to_contain_text(f"{first.score:g}")
    assert [(a.id, a.score, a.submission_id) for a in attempts()] == [(first.id, first.score, first.submission_id)]

    assert tablet.get_by_role("button", name="Send again").is_hidden()  # the server holds a result: compare

    tablet.get_by_label("Why the result is corrected").fill("第二台平板上的答卷")
    tablet.get_by_role("button", name="File this tablet's answers as a correction").tap()
    tablet.locator("[data-record='synced']").wait_for()
    original, correction = attempts()
    assert (original.score, correction.corrects_id, correction.correction_reason) == (
        first.score, first.id, "第二台平板上的答卷")
    assert correction.score < first.score  # the blank copy, now the result in force, beside the original


def test_a_refused_record_the_server_does_not_hold_is_sent_again_or_deleted_only_knowingly(tablet, site):
    sign_in(tablet)
    download_pack(tablet)
    take_quiz_offline(tablet, site.name)
    tablet.evaluate(RECORD + ".then(r => { r.body.paper = r.body.paper.slice(0, -4) + 'AAAA'; "
                             "return window.quizappStore.saveRecord(r); })")  # a damaged copy: refused
    tablet.context.set_offline(False)
    send_now(tablet, "conflict")
    refused = tablet.locator("[data-record='conflict']")
    expect(refused.locator("[data-slot=error]")).to_contain_text("does not come from a pack")
    assert refused.get_by_role("button", name="Keep the server's result").is_hidden()

    shown = tablet.locator("[data-view] > *").first.element_handle()
    refused.get_by_role("button", name="Send again").tap()
    shown.wait_for_element_state("hidden")
    expect(tablet.locator("[data-record='conflict']")).to_have_count(1)  # refused again, still on the tablet
    tablet.once("dialog", lambda dialog: dialog.dismiss())
    tablet.get_by_role("button", name="Delete from this tablet").tap()
    assert len(tablet.evaluate("window.quizappStore.records()")) == 1  # not without saying yes
    tablet.once("dialog", lambda dialog: dialog.accept())
    tablet.get_by_role("button", name="Delete from this tablet").tap()
    expect(tablet.locator("[data-slot=empty]")).to_be_visible()
    assert attempts() == []


def test_a_person_met_offline_takes_an_oral_exam_and_a_timed_drill_and_both_arrive_whole(tablet, site):
    """Someone not on the roster is added on the tablet, asked aloud (every item marked by the inspector) and
    drilled with the clock beside a roster worker, all without a network; the person joins the roster once."""
    sign_in(tablet)
    download_pack(tablet)
    open_enterprise_offline(tablet, site.name)
    tablet.get_by_role("link", name="Add a person met on the day").tap()
    tablet.get_by_label("Full name").fill("冯师傅")
    tablet.get_by_label("Role").select_option(label="Front-line worker")
    tablet.get_by_label("Post").fill("叉车")
    tablet.get_by_role("button", name="Add to the roster").tap()
    newcomer = tablet.locator("tr", has_text="冯师傅")
    expect(newcomer.get_by_text("added on this tablet")).to_be_visible()
    newcomer.get_by_role("button", name="Asked aloud").tap()
    tablet.locator("form.marking input[type=radio]").first.wait_for()
    for question in tablet.locator("form.marking section.question").all():  # objective items: the first choice
        choices = question.locator("label.choice")
        if choices.count():
            choices.first.tap()
    mark_everything_right(tablet)

    tablet.get_by_role("link", name="All packs").tap()
    tablet.get_by_role("link", name=site.name).tap()
    tablet.locator("[data-slot=drills] button").first.tap()
    participants = tablet.locator("input[name=participant]")
    expect(participants).to_have_count(2)  # drawn from the pack in IndexedDB: wait before listing them
    for participant in participants.all():
        participant.tap()
    tablet.get_by_role("button", name="Register and open the drill").tap()
    tablet.get_by_role("button", name="Start the drill").tap()
    expect(tablet.locator("[data-clock]")).not_to_have_text("0:00", timeout=5000)  # the clock runs offline
    for step in tablet.locator("[data-step]").all():
        step.get_by_role("button", name="Done", exact=True).tap()
    tablet.once("dialog", lambda dialog: dialog.accept())
    tablet.get_by_role("button", name="Finish and score").tap()
    expect(tablet.locator("[data-record='pending']")).to_have_count(2)
    assert attempts() == []

    tablet.context.set_offline(False)
    send_now(tablet, "synced")
    expect(tablet.locator("[data-record='synced']")).to_have_count(2)
    oral = attempts()
    assert [(attempt.mode, attempt.status, attempt.worker.name) for attempt in oral] == [("oral", "final", "冯师傅")]
    assert (oral[0].worker.role_code, oral[0].worker.post, oral[0].worker.enterprise_id) == ("worker", "叉车", site.id)
    db.session.expire_all()
    run = db.session.scalars(select(DrillRun)).one()
    assert run.status == "finished" and run.synced_at is not None
    assert sorted(worker.name for worker in run.participants) == ["冯师傅", "赵师傅"]
    assert db.session.scalar(select(func.count()).select_from(Worker).where(Worker.name == "冯师傅")) == 1
    assert len(run.marks) == sum(len(phase["steps"]) for phase in run.content["phases"])
    assert all(mark.mark == "done" and mark.elapsed_seconds > 0 for mark in run.marks)
    assert run.device_started_at is not None and run.passed is not None
