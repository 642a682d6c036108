"""A large merchant's Locations rows search the page's one store list, in a real browser."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.helpers.seed import Size, api_key, open_session, seed_merchant

CHAIN = Size(locations=60, stores=200, products=5, rewards=1, orders=0)


def test_a_store_found_in_the_shared_list_is_saved_on_its_row(
    page: Page, live_portal: LiveServer, app: Flask
) -> None:
    key = api_key(app)
    token = open_session(app, seed_merchant(app, key, "CHAIN", CHAIN))
    page.context.add_cookies([{"name": "portal_session", "value": token, "url": live_portal.url}])
    page.goto(f"{live_portal.url}/locations?page=2")
    # L0050 is unlinked; store 150 is offered in no row's own list, only in the shared one.
    select = page.get_by_label("Pongo store for Boulangerie 50")
    expect(select.locator("option[value='store-150']")).to_have_count(0)
    search = page.locator("#row-L0050").get_by_label("Search all Pongo stores")
    search.fill("Lumière 150 — 150 r. de la Paix, 75010, Paris (store-150)")
    search.dispatch_event("change")
    expect(select).to_have_value("store-150")
    page.get_by_role("button", name="Save links").click()
    expect(page.get_by_role("status").filter(has_text="Links saved: 1 changed.")).to_be_visible()
    expect(page.get_by_label("Pongo store for Boulangerie 50")).to_have_value("store-150")
