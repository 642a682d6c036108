"""The Products page in a real browser: compose a two-product SKU list by keyboard and copy it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, screenshot
from tests.helpers.launch import launch_token

pytestmark = pytest.mark.browser

WORDS = {
    "en": {
        "heading": "Products",
        "search": "Search by name or SKU",
        "update": "Update the SKU list",
        "copy": "Copy",
        "copied": "Copied",
        "meaning": "2 SKUs: the customer picks any one of these 2 products.",
    },
    "fr": {
        "heading": "Produits",
        "search": "Rechercher par nom ou SKU",
        "update": "Mettre à jour la liste de SKU",
        "copy": "Copier",
        "copied": "Copié",
        "meaning": "2 SKU : le client choisit l’un de ces 2 produits.",
    },
}


def search_by_keyboard(page: Page, label: str, text: str) -> None:
    """Type in the search box and press Enter."""
    box = page.get_by_label(label)
    box.focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    page.wait_for_load_state()


def tick_by_keyboard(page: Page, product_name: str, update: str) -> None:
    """Tick one product's box with the space bar, then press the update button with Enter."""
    box = page.get_by_role("checkbox", name=product_name, exact=True)
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    button = page.get_by_role("button", name=update)
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_compose_a_two_product_list_by_keyboard_and_copy_it(
    page: Page, live_portal: LiveServer, synced: None, locale: str
) -> None:
    words = WORDS[locale]
    token = launch_token(extra={"locale": locale, "target": "products"})
    page.goto(f"{live_portal.url}/launch?token={token}")
    expect(page.get_by_role("heading", name=words["heading"], level=1)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", locale)

    search_by_keyboard(page, words["search"], "pain choc")
    expect(page.locator("li.product-row")).to_have_count(1)
    tick_by_keyboard(page, "Pain au chocolat", words["update"])
    expect(page.locator("#composed")).to_have_value("BAK-002")

    # The selection survives a new search.
    search_by_keyboard(page, words["search"], "croissant")
    expect(page.locator("#composed")).to_have_value("BAK-002")
    tick_by_keyboard(page, "Croissant", words["update"])
    composed = page.locator("#composed")
    expect(composed).to_have_value("BAK-002,BAK-001")
    expect(page.locator("#composed-meaning")).to_have_text(words["meaning"])

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_portal.url)
    copy = page.locator("#copy-composed")
    expect(copy).to_have_text(words["copy"])
    copy.focus()
    page.keyboard.press("Enter")
    expect(copy).to_have_text(words["copied"])
    assert page.evaluate("navigator.clipboard.readText()") == "BAK-002,BAK-001"
    screenshot(page, f"products-composer-{locale}")

    # On a phone the page never scrolls sideways.
    page.set_viewport_size({"width": 360, "height": 740})
    search_by_keyboard(page, words["search"], "")
    expect(page.locator("li.product-row")).to_have_count(8)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    screenshot(page, f"products-phone-{locale}")


def test_rewards_row_opens_the_composer_on_its_skus(
    page: Page, live_portal: LiveServer, synced: None
) -> None:
    token = launch_token(extra={"locale": "en", "target": "rewards:rew_1a7f3c9d02"})
    page.goto(f"{live_portal.url}/launch?token={token}")
    row = page.locator("#row-rew_1a7f3c9d02")
    row.get_by_role("link", name="Edit this reward's SKUs").click()
    expect(page.get_by_role("heading", name="Products", level=1)).to_be_visible()
    expect(page.locator("#composed")).to_have_value("BAK-002,ZLT-88213")
    expect(page.get_by_text("Editing the SKUs of the Pongo reward")).to_contain_text(
        "Pain au chocolat offert"
    )
