"""Linking locations with the keyboard only, in a real browser."""

from __future__ import annotations

import httpx
import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, enter, screenshot
from tests.helpers.api import Api
from tests.helpers.locations import ALICE_CLAIMS, fetch_stores, push_alice


@pytest.fixture
def alice(page: Page, live_portal: LiveServer, app: Flask, http: httpx.Client, api: Api) -> Page:
    """The browser on Alice's Locations page: three POS locations, her Pongo stores fetched."""
    push_alice(api)
    fetch_stores(app, http)
    enter(page, live_portal.url, **ALICE_CLAIMS, extra={"target": "locations"})
    return page


def test_accepting_suggestions_and_saving_links_with_the_keyboard(alice: Page, api: Api) -> None:
    page = alice
    expect(page.get_by_role("heading", name="Locations")).to_be_visible()

    threshold = page.get_by_label("Accept all suggestions at or above (%)")
    threshold.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("100")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Accept suggestions")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="1 suggestion accepted.")).to_be_visible()

    # The warehouse row: choose a store by typing, with focus moved by Tab.
    select = page.get_by_label("Pongo store for Alice Lyon")
    select.focus()
    page.keyboard.type("Alice Lyon")
    expect(select).to_have_value("alice-lyon")
    save = page.get_by_role("button", name="Save links")
    while not save.evaluate("el => el === document.activeElement"):
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.get_by_role("status").filter(has_text="Links saved: 1 changed.")).to_be_visible()
    screenshot(page, "locations-linked")
    slugs = {
        x["ref"]: x["loyalty_store_slug"]
        for x in api.get("/merchants/M1/locations").json["locations"]
    }
    assert slugs == {"L1": "alice-paris", "L2": "alice-lyon", "L3": None}


def tab_until(page: Page, focused: str, limit: int = 30) -> int:
    """Press Tab until the element matching `focused` has focus; returns how many presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({focused!r})"):
            return presses
    raise AssertionError(f"{focused} not reached in {limit} Tab presses")


def test_skip_link_reaches_the_first_store_choice_in_a_few_keys(
    alice: Page, live_portal: LiveServer
) -> None:
    page = alice
    page.goto(f"{live_portal.url}/locations")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the locations table")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    assert tab_until(page, "select[name=store]") == 1
