"""The idle warning and the page after the idle limit, in a real browser at three sizes."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    VIEWPORTS,
    LiveServer,
    assert_accessible,
    assert_readable,
    screenshot,
)
from tests.helpers.launch import launch_token

pytestmark = pytest.mark.browser

POS_ADMIN = "https://pos.example.com/admin/loyalty"


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_warning_then_stay_signed_in_then_the_page_after_the_limit(
    live_portal: LiveServer, page: Page, size: str
) -> None:
    # Six seconds of idleness allowed: the warning comes after three.
    live_portal.app.config["SESSION_IDLE_MINUTES"] = 0.1
    width, height = VIEWPORTS[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_portal.url}/launch?token={launch_token(extra={'return_url': POS_ADMIN})}")
    warning = page.locator("#idle-warning")
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=6_000)
    expect(warning).to_contain_text("You will be signed out soon")
    assert_accessible(page)
    screenshot(page, f"idle-warning-{size}")

    page.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    page.wait_for_timeout(4_000)  # seven seconds since the launch, four since staying
    page.reload()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Your session has ended")

    page.wait_for_timeout(7_000)  # past the limit
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your session has ended")
    expect(page.get_by_role("link", name="Back to POS admin")).to_have_attribute("href", POS_ADMIN)
    assert_readable(page)
    screenshot(page, f"session-ended-{size}")
