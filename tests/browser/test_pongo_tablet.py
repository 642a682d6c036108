"""Orders nobody identified on, the Pongo tablet and cancellations, in a real browser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import update

from portal.extensions import db
from portal.models.locations import Location
from portal.orders.status_updates import send_due_updates
from tests.browser.conftest import (
    LiveServer,
    assert_accessible,
    assert_readable,
    at_every_size,
    enter,
    screenshot,
    serve,
)
from tests.helpers.orders import OrdersApi, fast_worker, order_body

pytestmark = pytest.mark.browser


@pytest.fixture
def tablet_portal(orders_portal: tuple[Flask, OrdersApi]) -> Iterator[LiveServer]:
    """Two orders without a customer: at L1 (tablet 4021, cancelled since), at L2 (none)."""
    app, api = orders_portal
    with app.app_context():
        db.session.execute(
            update(Location).where(Location.ref == "L1").values(pongo_tablet_id=4021)
        )
        db.session.commit()
    api.order(order_body("ANON-1", customer=None))
    api.order(order_body("ANON-2", location_ref="L2", customer=None))
    api.post("/merchants/M1/orders/ANON-1/status", {"status": "cancelled"})
    with fast_worker(app) as worker:
        worker.drain()
    with app.app_context():
        send_due_updates()
    yield from serve(app)


def test_tablet_and_cancellation_read_plainly_at_every_size(
    tablet_portal: LiveServer, page: Page
) -> None:
    enter(page, tablet_portal.url, extra={"locale": "en", "target": "orders"})
    for _size in at_every_size(page, f"{tablet_portal.url}/orders/ANON-1"):
        expect(page.locator("#order-customer")).to_contain_text("(tablet 4021)")
        expect(page.locator(".status-changes")).to_contain_text("Cancelled: Sent to Pongo")
        assert_readable(page)
        page.goto(f"{tablet_portal.url}/")
        expect(page.locator("#check-tablet")).to_contain_text("Lyon")
        assert_readable(page)
    screenshot(page, "overview-tablet-check")
    page.locator("#check-tablet a").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{tablet_portal.url}/locations#row-L2")


def test_the_tablet_field_is_typed_by_keyboard_at_every_size(
    tablet_portal: LiveServer, page: Page
) -> None:
    enter(page, tablet_portal.url, extra={"locale": "en", "target": "locations"})
    for _size in at_every_size(page, f"{tablet_portal.url}/locations"):
        expect(page.get_by_label("Pongo tablet").first).to_have_value("4021")
        assert_readable(page)
    lyon = page.locator('input[name="tablet-L2"]')
    lyon.focus()
    page.keyboard.type("77")
    page.get_by_role("button", name="Save links").focus()
    page.keyboard.press("Enter")
    expect(page.locator('input[name="tablet-L2"]')).to_have_value("77")
    page.locator('input[name="tablet-L2"]').fill("seven")
    page.get_by_role("button", name="Save links").click()
    expect(page.locator("#tablet-2-error")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "locations-tablet-refused")
