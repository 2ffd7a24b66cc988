"""The installable app: a manifest, and a service worker that keeps the app shell for when the network is gone."""

from __future__ import annotations

import json

from tests.browser.conftest import wait_for_service_worker


def test_the_shell_and_the_offline_page_come_from_the_cache_without_a_network(tablet):
    tablet.goto("/lang/en")
    tablet.goto("/login")
    manifest = json.loads(tablet.request.get("/static/manifest.webmanifest").text())
    assert manifest["start_url"] == "/" and {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    assert tablet.evaluate("navigator.serviceWorker.ready.then(registration => registration.active.state)") \
        in ("activating", "activated")
    wait_for_service_worker(tablet)

    tablet.context.set_offline(True)
    tablet.goto("/login")  # a page the server would give: without a network, the cached offline page instead
    assert tablet.locator("h1").inner_text() == "No network"
    assert tablet.evaluate("getComputedStyle(document.body).fontSize") == "18px"  # the style sheet, from the cache
    script = tablet.locator("script[src*='/js/app.js']").get_attribute("src")  # named by its content
    assert "?v=" in script and "navigator.serviceWorker" in tablet.goto(script).text()
    tablet.context.set_offline(False)
    tablet.goto("/login")
    assert tablet.locator("h1").inner_text() == "Sign in"
