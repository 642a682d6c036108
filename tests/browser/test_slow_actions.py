"""A slow Pongo: the pressed button says what is happening, is announced, and posts only once."""

from __future__ import annotations

import httpx
import pytest
from flask import Flask
from playwright.sync_api import Page, Request, expect

from portal.sandbox.routes import STORES
from tests.browser.conftest import LiveServer
from tests.helpers.api import Api, new_key
from tests.helpers.connect import connect_merchant
from tests.helpers.launch import launch_token
from tests.helpers.locations import LOCATIONS

pytestmark = pytest.mark.browser


@pytest.fixture
def connected(app: Flask, pongo: httpx.Client) -> None:
    """Merchant M1 connected to the demo Pongo account, with three locations."""
    connect_merchant(app.test_client(), pongo)
    api = Api(app.test_client(), new_key(app))
    assert api.put("/merchants/M1/locations", {"locations": LOCATIONS}).status_code == 200


def test_refresh_shows_progress_announces_it_and_cannot_be_sent_twice(
    page: Page, live_portal: LiveServer, connected: None, pongo: httpx.Client
) -> None:
    page.goto(f"{live_portal.url}/launch?token={launch_token(extra={'target': 'locations'})}")
    expect(page.get_by_role("heading", name="Locations", level=1)).to_be_visible()
    fault = {"path": STORES.path, "method": "GET", "delay_ms": 1500, "count": 1}
    assert pongo.post("/_sandbox/faults", json=fault).status_code == 201
    posts: list[str] = []

    def count_posts(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/locations/refresh"):
            posts.append(request.url)

    page.on("request", count_posts)
    # Playwright's locators wait for a navigation in flight, so the page reports its own state
    # while the refresh waits for Pongo: press, let the script run, press again, read.
    seen = page.evaluate(
        """async () => {
            const button = [...document.querySelectorAll("button")]
                .find((b) => b.textContent.trim() === "Refresh from Pongo");
            button.click();
            await new Promise((done) => setTimeout(done, 100));
            button.form.requestSubmit();
            button.click();
            await new Promise((done) => setTimeout(done, 100));
            return {
                text: button.textContent,
                disabled: button.disabled,
                ariaDisabled: button.getAttribute("aria-disabled"),
                live: document.getElementById("live-status").textContent,
            };
        }"""
    )
    assert seen == {
        "text": "Refreshing from Pongo…",
        "disabled": True,
        "ariaDisabled": "true",
        "live": "Refreshing from Pongo…",
    }
    expect(page.get_by_role("status").filter(has_text="6 Pongo stores fetched.")).to_be_visible()
    assert len(posts) == 1
    expect(page.get_by_role("button", name="Refresh from Pongo")).to_be_enabled()


def test_refresh_still_works_without_javascript(
    app: Flask, live_portal: LiveServer, connected: None, page: Page
) -> None:
    browser = page.context.browser
    assert browser is not None
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    plain = context.new_page()
    plain.goto(f"{live_portal.url}/launch?token={launch_token(extra={'target': 'locations'})}")
    plain.get_by_role("button", name="Refresh from Pongo").click()
    expect(plain.get_by_role("status").filter(has_text="6 Pongo stores fetched.")).to_be_visible()
    context.close()
