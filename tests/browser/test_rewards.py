"""The Rewards page in a real browser: filters, search, copy button and export, in two languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, screenshot
from tests.helpers.launch import launch_token
from tests.helpers.rewards import link

pytestmark = pytest.mark.browser


@pytest.fixture
def linked(app: Flask, synced: None) -> None:
    """`synced`, with locations L1 and L2 linked to their Pongo stores."""
    link(app, "L1", "lumiere-paris-11")
    link(app, "L2", "lumiere-lyon-2")


def open_rewards(page: Page, portal: LiveServer, locale: str, target: str) -> None:
    """Enter the portal from the POS admin panel, aiming at one reward."""
    token = launch_token(extra={"locale": locale, "target": target})
    page.goto(f"{portal.url}/launch?token={token}")


def rows(page: Page) -> int:
    """How many rewards the table shows."""
    return page.locator("tbody tr.reward-row").count()


def test_filters_search_copy_and_export_in_english(
    page: Page, live_portal: LiveServer, linked: None, tmp_path: Path
) -> None:
    open_rewards(page, live_portal, "en", "rewards:rew_2b8e4d0a13")
    expect(page.get_by_role("heading", name="Rewards", level=1)).to_be_visible()
    target = page.locator("#row-rew_2b8e4d0a13")
    expect(target).to_have_class("reward-row is-target")
    expect(target).to_contain_text("Did you mean BAK-003?")
    screenshot(page, "rewards-en")

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_portal.url)
    copy = target.locator("button[data-copy-target]")
    expect(copy).to_have_text("Copy")
    copy.click()
    expect(copy).to_have_text("Copied")
    clipboard = page.evaluate("navigator.clipboard.readText()")
    assert clipboard == target.locator("input[readonly]").input_value()
    assert clipboard.startswith("BAK-001,BAK-002,BAK-003")

    page.get_by_role("link", name="Not redeemable (7)").click()
    expect(page.get_by_role("link", name="Not redeemable (7)")).to_have_attribute(
        "aria-current", "page"
    )
    assert rows(page) == 7
    search = page.get_by_label("Search by reward name or SKU")
    search.fill("zlt")
    search.press("Enter")
    # Search keeps the status filter: one not-redeemable reward holds a ZLT- code.
    expect(page.locator("tbody tr.reward-row")).to_have_count(1)
    expect(page.locator("#row-rew_be7b3a9dac")).to_be_visible()
    page.get_by_role("link", name="Show all rewards").click()
    expect(page.locator("tbody tr.reward-row")).to_have_count(16)

    with page.expect_download() as download:
        page.get_by_role("link", name="Export all SKUs (CSV)").click()
    saved = tmp_path / "rewards.csv"
    download.value.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfreward id,reward name,status,token")
    assert "Éclair au café".encode() in data


def test_page_in_french_with_the_locations_view(
    page: Page, live_portal: LiveServer, linked: None
) -> None:
    open_rewards(page, live_portal, "fr", "rewards:rew_7a3d9c5f68")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Récompenses", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Actualiser depuis Pongo")).to_be_visible()
    expect(page.locator("#row-rew_7a3d9c5f68")).to_have_class("reward-row is-target")
    screenshot(page, "rewards-fr")
    page.locator("nav.tabs a").nth(1).click()
    # Lunch menus are sold at L1 only.
    lunch = page.locator("#where-rew_7a3d9c5f68 td")
    expect(lunch).to_have_count(2)
    expect(lunch.nth(0)).to_contain_text("✔")
    expect(lunch.nth(1)).to_contain_text("○")  # neutral: not sold there, nothing broken
    screenshot(page, "rewards-locations-fr")


def test_merchant_reviews_a_reward_with_the_keyboard_and_finds_it_under_reviewed(
    page: Page, live_portal: LiveServer, linked: None
) -> None:
    open_rewards(page, live_portal, "en", "rewards:rew_5e1b7a3d46")
    row = page.locator("#row-rew_5e1b7a3d46")
    # "BAK-0O1": the letter O is marked and named, the suggestion's product named too.
    typed = row.locator(".sku-diff").first.locator("mark .glyph")
    expect(typed).to_have_attribute("title", "letter O")
    expect(row).to_contain_text("Check before copying: the suggestion is a Croissant")
    others = page.locator("#row-rew_be7b3a9dac details.other-systems")
    expect(others.locator("summary")).to_have_text("○ 2 SKUs of other systems")
    expect(others.locator("li").first).to_be_hidden()
    others.locator("summary").click()
    expect(others.locator("li").first).to_be_visible()

    # The review form is open on a flagged row: no tap is spent unfolding it.
    row.get_by_label("Why is this reward fine as it is?").select_option("other")
    row.get_by_role("button", name="Mark as reviewed").click()
    expect(page.locator(".flash")).to_contain_text("Say in a few words why")
    row = page.locator("#row-rew_5e1b7a3d46")
    row.get_by_label("Why is this reward fine as it is?").select_option("other")
    note = row.get_by_label("Note (optional)")
    note.fill("Baguettes are rung up by hand")
    note.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#row-rew_5e1b7a3d46")).to_contain_text("Reviewed by")
    screenshot(page, "rewards-reviewed-en")
    page.get_by_role("link", name="Reviewed (1)").click()
    assert rows(page) == 1
    page.get_by_role("button", name="Undo the review").click()
    expect(page.locator(".flash")).to_contain_text("was withdrawn")
    expect(page.get_by_role("link", name="Reviewed (0)")).to_be_visible()


def test_skip_link_reaches_the_rewards_views_in_a_few_keys(
    page: Page, live_portal: LiveServer, linked: None
) -> None:
    open_rewards(page, live_portal, "en", "rewards")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the filters and views")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="SKUs", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Where each reward can be redeemed")).to_be_focused()
