"""The Locations page on a phone, a tablet and a laptop: the guide's link lands with the
suggestions at hand, one primary action at a time, an "Unsaved changes" bar, and two tabs
that do not undo each other."""

from __future__ import annotations

import httpx
import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from portal.audit.actor import SYSTEM
from portal.extensions import db
from portal.locations.operations import RowEdit, save_links
from portal.locations.states import NO_STORE
from portal.models.merchant import Merchant
from tests.browser.conftest import (
    LiveServer,
    assert_accessible,
    primaries_in_view,
    screenshot,
)
from tests.helpers.api import Api
from tests.helpers.launch import launch_token
from tests.helpers.locations import ALICE_CLAIMS, push_alice, stores
from tests.helpers.locations import fetch_stores as refresh

# Twenty locations already marked "no Pongo store" come first: the guide's first row is far down.
DONE = [{"ref": f"L{n:02d}", "name": f"Dépôt {n}", "city": "Rungis"} for n in range(1, 21)]
OPEN = [
    {"ref": "L21", "name": "Alice Paris", "address": "1 rue de Rivoli", "city": "Paris"},
    {"ref": "L22", "name": "Alice Lyon", "city": "Lyon"},
    {"ref": "L23", "name": "Laboratoire central de la rue du Faubourg-Saint-Antoine"},
]


@pytest.fixture
def merchant(app: Flask, api: Api, http: httpx.Client) -> str:
    """M1 with 23 locations, the first 20 marked "no Pongo store"; returns a launch URL path."""
    push_alice(api, DONE + OPEN)
    refresh(app, http)
    with app.app_context():
        found = db.session.scalar(select(Merchant).where(Merchant.ref == "M1"))
        assert found is not None
        edits = {row["ref"]: RowEdit(NO_STORE, None, 0) for row in DONE}
        save_links(merchant=found, edits=edits, actor=SYSTEM)
        db.session.commit()
    return f"/launch?token={launch_token(**ALICE_CLAIMS)}"


def test_the_guides_link_lands_on_the_row_with_accept_suggestions_in_view(
    sized: tuple[str, Page], live_portal: LiveServer, merchant: str
) -> None:
    size, page = sized
    page.goto(live_portal.url + merchant)
    page.get_by_role("link", name="3 locations have no Pongo store yet, first: Alice Paris").click()
    expect(page.locator("#row-L21")).to_be_in_viewport()
    accept = page.get_by_role("button", name="Accept suggestions")
    expect(accept).to_be_in_viewport()
    assert primaries_in_view(page) <= 1
    # The search keeps a usable width; no empty "Suggestion" label.
    search = page.get_by_label("Search by name, reference or city")
    box = search.bounding_box()
    assert box is not None
    assert box["width"] >= 150
    for cell in page.locator("td.no-suggestion").all():
        assert cell.inner_text().strip() == ""
        if size == "phone":
            expect(cell).to_be_hidden()
    for cell in page.locator('td[data-label="Suggestion"]').all():
        assert "% match" in cell.inner_text()
    # A long choice ends in an ellipsis, complete in the list's title.
    store = page.get_by_label("Pongo store for Alice Paris")
    store.select_option("alice-paris")
    assert store.evaluate("e => getComputedStyle(e).textOverflow") == "ellipsis"
    assert (
        store.get_attribute("title") == "Alice Paris — 1 rue de Rivoli, 75001, Paris (alice-paris)"
    )
    name = page.locator("#row-L23 .location-name")
    assert name.evaluate("e => getComputedStyle(e).overflowWrap") == "break-word"
    assert_accessible(page)
    screenshot(page, f"locations-guide-{size}")


def test_unsaved_changes_bar_discards_and_saves_with_one_primary_action(
    sized: tuple[str, Page], live_portal: LiveServer, merchant: str, api: Api
) -> None:
    size, page = sized
    page.goto(live_portal.url + merchant)
    page.goto(f"{live_portal.url}/locations?focus=L21#row-L21")
    unsaved = page.get_by_text("Unsaved changes")
    expect(unsaved).to_be_hidden()
    expect(page.get_by_role("button", name="Save links")).to_be_hidden()
    store = page.get_by_label("Pongo store for Alice Lyon")
    store.select_option("alice-lyon")
    expect(unsaved).to_be_in_viewport()
    expect(page.get_by_role("button", name="Accept suggestions")).to_be_hidden()
    assert primaries_in_view(page) == 1
    page.mouse.wheel(0, -5000)
    expect(page.get_by_role("button", name="Save links")).to_be_in_viewport()
    assert_accessible(page)
    screenshot(page, f"locations-unsaved-{size}")
    page.get_by_role("button", name="Discard").click()
    expect(store).to_have_value("")
    expect(unsaved).to_be_hidden()
    store.select_option("alice-lyon")
    page.get_by_role("button", name="Save links").click()
    expect(page.get_by_role("status").filter(has_text="Links saved: 1 changed.")).to_be_visible()
    assert stores(api)["L22"][1] == "alice-lyon"


def test_without_javascript_the_bar_is_a_plain_save(
    browser: Browser, live_portal: LiveServer, merchant: str, api: Api
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_portal.url + merchant)
    page.goto(f"{live_portal.url}/locations")
    page.get_by_label("Pongo store for Alice Lyon").select_option("alice-lyon")
    page.get_by_role("button", name="Save links").click()
    expect(page.get_by_text("Links saved: 1 changed.")).to_be_visible()
    context.close()
    assert stores(api)["L22"][1] == "alice-lyon"


def test_two_tabs_do_not_undo_each_other(
    page: Page, live_portal: LiveServer, merchant: str, api: Api
) -> None:
    page.goto(live_portal.url + merchant)
    page.goto(f"{live_portal.url}/locations")
    tab_b = page.context.new_page()
    tab_b.goto(f"{live_portal.url}/locations")
    # Tab A: the laboratory has no Pongo store.
    page.get_by_label("Pongo store for Laboratoire central").select_option(NO_STORE)
    page.get_by_role("button", name="Save links").click()
    expect(page.get_by_text("Links saved: 1 changed.")).to_be_visible()
    # Tab B, opened before, links Paris: the laboratory keeps tab A's choice.
    tab_b.get_by_label("Pongo store for Alice Paris").select_option("alice-paris")
    tab_b.get_by_role("button", name="Save links").click()
    expect(tab_b.get_by_text("Links saved: 1 changed.")).to_be_visible()
    assert stores(api)["L23"] == ("none", None)
    assert stores(api)["L21"][1] == "alice-paris"
    # A row changed in both tabs: tab A's stale page is told, and shows the link as it is now.
    tab_b.get_by_label("Pongo store for Alice Lyon").select_option("alice-lyon")
    tab_b.get_by_role("button", name="Save links").click()
    page.get_by_label("Pongo store for Alice Lyon").select_option(NO_STORE)
    page.get_by_role("button", name="Save links").click()
    expect(page.get_by_text("Changed elsewhere since this page was opened")).to_be_visible()
    expect(page.get_by_label("Pongo store for Alice Lyon")).to_have_value("alice-lyon")
    assert_accessible(page)
    screenshot(page, "locations-two-tabs-conflict")
