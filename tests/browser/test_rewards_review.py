"""Reviewing rewards on a phone, a tablet and a laptop: the product each SKU names, no reason
chosen in advance, one state per row, reviewed rows folded, and the setup's end in view."""

from __future__ import annotations

import re

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    LiveServer,
    assert_accessible,
    enter,
    primaries_in_view,
    screenshot,
)
from tests.helpers.orders import link_locations
from tests.helpers.rewards import refresh, reward, set_rewards

pytestmark = pytest.mark.browser
REVIEWED = re.compile(r"\bis-reviewed\b")


@pytest.fixture
def synced(app: Flask, pongo: httpx.Client, merchant_client: FlaskClient) -> None:
    """M1 connected, catalogue pushed, locations linked, three rewards fetched."""
    set_rewards(
        pongo,
        [
            reward("rew_macarons", "Macarons x6", "BAK-001"),
            reward("rew_partner", "Café offert", "ZLT-88213,LS_4471"),
            reward("rew_ready", "Croissant offert", "BAK-001"),
        ],
    )
    refresh(merchant_client)
    link_locations(app)


def review(page: Page, public_id: str, reason: str) -> None:
    """Open a row's review form, pick the reason and submit."""
    row = page.locator(f"#row-{public_id}")
    if row.locator("details.review-form").get_attribute("open") is None:
        row.locator("details.review-form summary").click()
    row.locator("select[name=reason]").select_option(reason)
    row.locator("details.review-form button[type=submit]").click()
    expect(page.locator(f"#row-{public_id}")).to_have_class(REVIEWED)


def test_reviewing_to_the_end_of_the_setup(
    sized: tuple[str, Page], live_portal: LiveServer, synced: None
) -> None:
    size, page = sized
    enter(page, live_portal.url, extra={"target": "rewards"})
    macarons = page.locator("#row-rew_macarons")
    expect(macarons).to_contain_text("→ Croissant")
    expect(macarons.locator(".unrelated-product")).to_be_visible()
    expect(macarons.locator(".unrelated-product")).to_contain_text("share no word")
    # The review form of a flagged row is open: no tap is spent unfolding it.
    expect(macarons.locator("details.review-form")).to_have_attribute("open", "")
    reason = macarons.locator("select[name=reason]")
    expect(reason).to_have_value("")
    first = reason.locator("option").nth(1)
    expect(first).to_have_attribute("value", "product_intended")
    assert_accessible(page)
    screenshot(page, f"rewards-review-open-{size}")
    # Submitting without a reason is stopped by the browser: nothing is recorded.
    macarons.locator("details.review-form button[type=submit]").click()
    expect(macarons).not_to_have_class(REVIEWED)
    expect(page.locator(".next-step")).to_have_count(0)

    open_height = macarons.bounding_box()
    review(page, "rew_macarons", "product_intended")
    rows = page.locator("tbody tr.reward-row")
    # Problems first, then what was reviewed, then what is ready.
    assert [r.get_attribute("id") for r in rows.all()] == [
        "row-rew_partner",
        "row-rew_macarons",
        "row-rew_ready",
    ]
    reviewed = page.locator("#row-rew_macarons")
    expect(reviewed.locator(".badge")).to_have_count(1)
    expect(reviewed.locator(".badge")).to_contain_text("Reviewed")
    expect(reviewed.locator(".token-list").first).to_be_hidden()
    folded = reviewed.bounding_box()
    assert open_height is not None
    assert folded is not None
    assert folded["height"] < open_height["height"]
    reviewed.locator("details.folded summary").first.click()
    expect(reviewed.locator(".token-list").first).to_be_visible()

    review(page, "rew_partner", "other_partner")
    done = page.locator(".next-step")
    expect(done).to_contain_text("Your Pongo setup is complete")
    expect(done.get_by_role("link", name="See the overview")).to_be_visible()
    assert primaries_in_view(page) <= 1
    page.evaluate("window.scrollTo(0, 0)")
    assert primaries_in_view(page) == 1
    assert_accessible(page)
    screenshot(page, f"rewards-reviewed-{size}")
