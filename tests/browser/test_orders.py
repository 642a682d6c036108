"""A refused order in a real browser: a sentence first, Pongo's answer folded away."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    VIEWPORTS,
    LiveServer,
    assert_readable,
    enter,
    screenshot,
    serve,
)
from tests.helpers.orders import OrdersApi, fast_worker, order_body
from tests.helpers.sandbox import fault

pytestmark = pytest.mark.browser


@pytest.fixture
def refused_order_portal(
    orders_portal: tuple[Flask, OrdersApi], pongo: httpx.Client
) -> Iterator[LiveServer]:
    """The portal with one order Pongo refused for the customer's phone number."""
    app, api = orders_portal
    api.order(order_body("PHONE-1"))
    refusal = {"message": "Invalid.", "errors": {"customer_phone": ["The format is invalid."]}}
    fault(pongo, status=422, body=refusal)
    with fast_worker(app) as worker:
        worker.drain()
    yield from serve(app)


def test_the_reason_reads_first_and_the_technical_details_open_on_demand(
    refused_order_portal: LiveServer, page: Page
) -> None:
    enter(page, refused_order_portal.url, extra={"locale": "en", "target": "orders"})
    page.get_by_role("link", name="PHONE-1").click()
    expect(page.locator(".order-reason")).to_have_text(
        "Pongo refused this order: the customer's phone number is not valid. "
        "Fix it in your POS, then press Retry."
    )
    answer = page.locator("#pongo-answer")
    expect(answer).to_be_hidden()
    page.get_by_text("Technical details").click()
    expect(answer).to_be_visible()
    expect(answer).to_contain_text("The format is invalid.")
    # The body sent stays folded inside the details until asked for too.
    sent = page.locator("#payload-sent")
    expect(sent).to_be_hidden()
    page.get_by_text("What was sent to Pongo").click()
    expect(sent).to_be_visible()
    expect(sent).to_contain_text('"loyalty_store_slug"')
    screenshot(page, "order-refused-details")


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_the_refused_order_reads_by_name_at_every_size(
    refused_order_portal: LiveServer, page: Page, size: str
) -> None:
    width, height = VIEWPORTS[size]
    page.set_viewport_size({"width": width, "height": height})
    enter(page, refused_order_portal.url, extra={"locale": "en", "target": "orders"})
    expect(page.locator("table").first).to_contain_text("Paris 11")
    expect(page.locator("table").first).not_to_contain_text("lumiere-paris-11")
    page.get_by_role("link", name="PHONE-1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sale of Nov 27, 2026")
    expect(page.locator(".order-location")).to_contain_text("Paris 11")
    expect(page.locator(".order-customer")).to_have_text("+33 ••••••• 78")
    expect(page.locator(".order-lines")).to_contain_text("Croissant")
    expect(page.locator(".timeline li")).to_have_count(3)
    expect(page.get_by_role("button", name="Retry")).to_be_enabled()
    assert_readable(page)
    screenshot(page, f"order-refused-{size}")
