"""A refused order in a real browser: a sentence first, Pongo's answer folded away."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from portal.sandbox.server import RunningSandbox
from tests.browser.conftest import (
    VIEWPORTS,
    LiveServer,
    assert_accessible,
    screenshot,
    serve,
    sideways_overflow,
)
from tests.helpers.launch import launch_token
from tests.helpers.orders import (
    fast_worker,
    linked_portal,
    order_body,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def refused_order_portal(
    database_url: str, sandbox: RunningSandbox, pongo: httpx.Client
) -> Iterator[LiveServer]:
    """The portal with one order Pongo refused for the customer's phone number."""
    app, api = linked_portal(database_url, sandbox.url, pongo)
    api.order(order_body("PHONE-1"))
    refusal = {"message": "Invalid.", "errors": {"customer_phone": ["The format is invalid."]}}
    pongo.post(
        "/_sandbox/faults",
        json={"path": "/v1/orders", "method": "POST", "status": 422, "body": refusal},
    )
    with fast_worker(app) as worker:
        worker.drain()
    yield from serve(app)


def test_the_reason_reads_first_and_the_technical_details_open_on_demand(
    refused_order_portal: LiveServer, page: Page
) -> None:
    token = launch_token(extra={"locale": "en", "target": "orders"})
    page.goto(f"{refused_order_portal.url}/launch?token={token}")
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
    token = launch_token(extra={"locale": "en", "target": "orders"})
    page.goto(f"{refused_order_portal.url}/launch?token={token}")
    expect(page.locator("table").first).to_contain_text("Paris 11")
    expect(page.locator("table").first).not_to_contain_text("lumiere-paris-11")
    page.get_by_role("link", name="PHONE-1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sale of Nov 27, 2026")
    expect(page.locator(".order-location")).to_contain_text("Paris 11")
    expect(page.locator(".order-customer")).to_have_text("+33 ••••••• 78")
    expect(page.locator(".order-lines")).to_contain_text("Croissant")
    expect(page.locator(".timeline li")).to_have_count(3)
    expect(page.get_by_role("button", name="Retry")).to_be_enabled()
    assert sideways_overflow(page) == 0
    assert_accessible(page)
    screenshot(page, f"order-refused-{size}")
