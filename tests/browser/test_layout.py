"""The page layout in a real browser, in English and French."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import VIEWPORTS, LiveServer, screenshot, sideways_overflow
from tests.helpers.launch import launch_token

pytestmark = pytest.mark.browser


def test_layout_renders_in_english_and_switches_to_french(
    live_portal: LiveServer, page: Page
) -> None:
    page.goto(f"{live_portal.url}/launch?token={launch_token(extra={'locale': 'en'})}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Boulangerie Lumière")
    expect(page.get_by_role("navigation", name="Main navigation")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    screenshot(page, "layout-en")

    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("navigation", name="Navigation principale")).to_be_visible()
    expect(page.get_by_role("link", name="Vue d’ensemble")).to_have_attribute(
        "aria-current", "page"
    )
    screenshot(page, "layout-fr")


def test_refused_link_shows_a_clear_page_in_french(live_portal: LiveServer, page: Page) -> None:
    response = page.goto(
        f"{live_portal.url}/launch?token=not-a-token", wait_until="domcontentloaded"
    )
    assert response is not None
    assert response.status == 401
    page.goto(f"{live_portal.url}/launch?token=not-a-token")
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not open your portal")
    context = page.context.browser.new_context(locale="fr-FR") if page.context.browser else None
    assert context is not None
    french = context.new_page()
    french.goto(f"{live_portal.url}/launch?token=not-a-token")
    expect(french.get_by_role("heading", level=1)).to_have_text("Impossible d’ouvrir votre portail")
    expect(french.locator("main")).to_contain_text("Ce lien n’est pas valide")
    screenshot(french, "launch-refused-fr")
    context.close()


def test_skip_link_reaches_main_content_by_keyboard(live_portal: LiveServer, page: Page) -> None:
    page.goto(f"{live_portal.url}/launch?token={launch_token()}")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


LONG_NAME = "Boulangerie-Pâtisserie Lumière des Quatre Saisons, Presqu’île de Lyon"
# One row of header: buttons and the brand mark are at most ~40 px tall, plus padding.
ONE_ROW_PX = 64


def lines_of_text(element: Locator) -> int:
    """How many lines of text the element takes on screen."""
    lines: int = element.evaluate(
        "e => Math.round(e.getBoundingClientRect().height"
        " / parseFloat(getComputedStyle(e).lineHeight))"
    )
    return lines


def header_height(page: Page) -> float:
    """The site header's height in CSS pixels."""
    height: float = page.locator(".site-header").evaluate("e => e.getBoundingClientRect().height")
    return height


@pytest.mark.parametrize("size", list(VIEWPORTS))
@pytest.mark.parametrize("name", ["Boulangerie Lumière", LONG_NAME])
def test_header_keeps_the_merchant_name_on_one_row(
    live_portal: LiveServer, page: Page, size: str, name: str
) -> None:
    width, height = VIEWPORTS[size]
    page.set_viewport_size({"width": width, "height": height})
    token = launch_token(merchant_name=name, extra={"locale": "fr"})
    page.goto(f"{live_portal.url}/launch?token={token}")
    merchant = page.locator(".site-header .merchant-name")
    expect(merchant).to_have_attribute("title", name)
    assert lines_of_text(merchant) == 1
    assert merchant.evaluate("e => getComputedStyle(e).textOverflow") == "ellipsis"
    if name == LONG_NAME and size != "laptop":
        assert merchant.evaluate("e => e.scrollWidth > e.clientWidth"), "the long name is cut"
    assert header_height(page) <= ONE_ROW_PX
    assert sideways_overflow(page) == 0
    screenshot(page, f"header-{size}-{'long' if name == LONG_NAME else 'short'}")


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_support_console_header_is_one_row(live_portal: LiveServer, page: Page, size: str) -> None:
    width, height = VIEWPORTS[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_portal.url}/support/login")
    title = page.locator(".site-header .merchant-name")
    assert lines_of_text(title) == 1
    assert header_height(page) <= ONE_ROW_PX
