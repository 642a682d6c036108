"""A support agent signs in, finds a merchant, views its portal with a reason, and ends the view."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    VIEWPORTS,
    LiveServer,
    assert_accessible,
    assert_readable,
    screenshot,
)
from tests.helpers.staff import (
    AGENT,
    PASSWORD,
    add_merchant,
    add_staff,
    current_code,
    session_cookie,
    sign_in,
)

pytestmark = pytest.mark.browser


def test_support_agent_views_a_merchant_read_only_and_ends_the_view(
    live_portal: LiveServer, page: Page
) -> None:
    app = live_portal.app
    add_staff(app, AGENT)
    add_merchant(app, "M1", "Boulangerie Lumière", status="connected", account_name="Lumière")
    add_merchant(app, "M2", "Café Tropique", status="needs_reconnection")

    page.goto(f"{live_portal.url}/support/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Support sign-in")
    page.get_by_label("E-mail").fill(AGENT)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("E-mail or password is incorrect.")
    screenshot(page, "support-login-failed")
    page.get_by_label("E-mail").fill(AGENT)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    page.get_by_label("Code").fill(current_code())
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Merchants")
    page.get_by_label("Search").fill("lumi")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status").first).to_contain_text("Merchants found: 1")
    screenshot(page, "support-directory")
    page.get_by_role("link", name="Boulangerie Lumière").click()

    page.get_by_role("button", name="View as merchant").click()
    expect(page.locator(".field-errors")).to_contain_text("Say why")
    page.get_by_label("Reason").fill("Ticket 4521: rewards not showing")
    page.get_by_role("button", name="View as merchant").click()

    banner = page.locator(".banner-support")
    expect(banner).to_contain_text(f"{AGENT} is viewing as Boulangerie Lumière, read-only")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Boulangerie Lumière")
    screenshot(page, "support-view-overview")
    page.get_by_role("link", name="Access log").click()
    expect(banner).to_be_visible()
    expect(page.locator(".access-log")).to_contain_text("Ticket 4521")
    screenshot(page, "support-view-access-log")

    banner.get_by_role("button", name="End").click()
    expect(page).to_have_url(re.compile(r"/support/$"))
    expect(page.locator(".banner-support")).to_have_count(0)
    expect(page.get_by_role("status").first).to_contain_text("back in the support console")
    screenshot(page, "support-view-ended")
    page.goto(f"{live_portal.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_the_merchant_page_then_the_read_only_banner_in_sight_while_scrolling(
    live_portal: LiveServer, page: Page, size: str
) -> None:
    app = live_portal.app
    add_staff(app, AGENT)
    add_merchant(app, "M1", "Boulangerie Lumière", status="connected", account_name="Lumière")
    agent = app.test_client()
    assert sign_in(agent).status_code == 302
    cookie = session_cookie(agent)
    assert cookie is not None
    page.context.add_cookies([{"name": "portal_session", "value": cookie, "url": live_portal.url}])
    width, height = VIEWPORTS[size]
    page.set_viewport_size({"width": width, "height": height})
    # The merchant's support page: language, contact, locations and recent orders.
    page.goto(f"{live_portal.url}/support/merchants/M1")
    for title in ("Contact", "Locations", "Recent orders"):
        expect(page.get_by_role("heading", level=2, name=title)).to_be_visible()
    expect(page.locator(".merchant-language")).to_have_text("Not known yet")
    assert_readable(page)
    screenshot(page, f"support-merchant-{size}")
    page.get_by_label("Reason").fill("Ticket 4521: rewards not showing")
    page.get_by_role("button", name="View as merchant").click()
    page.goto(f"{live_portal.url}/access-log")
    banner = page.locator(".banner-support")
    expect(banner).to_be_visible()
    # Make the page taller than any screen, then scroll to its end.
    page.evaluate("document.querySelector('main').style.minHeight = '4000px'")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function("window.scrollY > 1000")
    box = banner.bounding_box()
    assert box is not None
    assert box["y"] == 0
    assert box["height"] < height / 3
    assert_accessible(page)
    screenshot(page, f"support-banner-scrolled-{size}")
