"""Every page at phone, tablet and laptop sizes: no axe-core violation, no sideways scrolling.

One world per test: the demo merchants loaded through the POS API, Lumière connected to the
sandbox's demo account, stores and rewards fetched, two locations linked, one order refused by
Pongo; a support agent and a support admin. Screenshots land in artifacts/screenshots/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from portal.demo.loader import load_demo_data
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.merchant import Merchant
from portal.models.orders import OrderRelay
from portal.models.pos_events import PosEvent, PosStatus
from portal.sandbox.routes import OAUTH_FORM
from portal.sandbox.server import RunningSandbox
from tests.browser.conftest import (
    VIEWPORTS,
    Findings,
    LiveServer,
    axe_context,
    enter,
    serve,
    sideways_overflow,
)
from tests.helpers.api import new_key
from tests.helpers.apps import make_app
from tests.helpers.connect import connect_merchant
from tests.helpers.orders import (
    RELAY_TEST_SETTINGS,
    OrdersApi,
    fast_worker,
    link_locations,
    order_body,
)
from tests.helpers.pages import csrf_token
from tests.helpers.sandbox import fault
from tests.helpers.staff import ADMIN, AGENT, PASSWORD, add_staff, current_code

pytestmark = pytest.mark.browser

MERCHANT = {"merchant_ref": "LUMIERE", "merchant_name": "Boulangerie Lumière"}
LINKS = {"L-OBK": "lumiere-paris-11", "L-LYO": "lumiere-lyon-2"}
FAILED_ORDER = "POS-2001"
POS_ADMIN = "https://pos.example.com"


@dataclass
class World:
    """The portal served over HTTP with its data, and the sandbox it talks to."""

    portal: LiveServer
    sandbox: RunningSandbox


@pytest.fixture
def world(database_url: str, sandbox: RunningSandbox, pongo: httpx.Client) -> Iterator[World]:
    """Demo data, Lumière connected and set up, a refused order, and two staff accounts."""
    app = make_app(database_url, pongo_base_url=sandbox.url, demo=True, **RELAY_TEST_SETTINGS)
    with app.app_context():
        load_demo_data()
    client = app.test_client()
    connect_merchant(client, pongo, **MERCHANT)
    token = csrf_token(client, "/locations")
    client.post("/locations/refresh", data={"csrf_token": token})
    client.post("/rewards/refresh", data={"csrf_token": token})
    link_locations(app, "LUMIERE", LINKS)
    send_refused_order(app, pongo)
    add_pos_events(app)
    add_staff(app, AGENT)
    add_staff(app, ADMIN, role="support-admin")
    for portal in serve(app):
        yield World(portal, sandbox)


def add_pos_events(app: Flask) -> None:
    """Two events told to the POS back-end about Lumière: one received, one being retried."""
    summary = {
        "connection": "needs_reconnection",
        "setup_percent": 67,
        "problems": {"locations": 1, "rewards": 0, "orders": 1},
        "orders_waiting": 1,
        "pongo_unavailable_since": None,
    }
    with app.app_context():
        merchant_id = db.session.scalar(select(Merchant.id).where(Merchant.ref == "LUMIERE"))
        assert merchant_id is not None
        db.session.add(PosStatus(merchant_id=merchant_id, summary=summary, announced=summary))
        for n, status in enumerate(("delivered", "pending")):
            db.session.add(
                PosEvent(
                    event_id=f"evt_{n:032d}",
                    merchant_id=merchant_id,
                    summary=summary,
                    status=status,
                    attempts=n + 1,
                    body="{}",
                    delivered_at=utcnow() if status == "delivered" else None,
                    last_error=None if status == "delivered" else "ConnectError: refused",
                )
            )
        db.session.commit()


def send_refused_order(app: Flask, pongo: httpx.Client) -> None:
    """The POS sends an order; Pongo refuses it, so the order page shows a Retry and answers."""
    api = OrdersApi(app.test_client(), new_key(app))
    croissants = {"sku": "BAK-001", "name": "Croissant", "quantity": 2, "unit_price_cents": 625}
    body = order_body(FAILED_ORDER, location_ref="L-OBK", lines=[croissants])
    assert api.order(body, merchant="LUMIERE").status_code in (200, 201, 202)
    refusal = {"message": "The store does not accept this order."}
    fault(pongo, status=422, count=1, body=refusal)
    with fast_worker(app) as worker:
        worker.drain()
    with app.app_context():
        relay = db.session.query(OrderRelay).one()
        assert relay.status == "failed", relay.status


Visit = Callable[[str, str], None]


def merchant_pages(page: Page, base: str, visit: Visit, locale: str = "en") -> None:
    """Every page of the merchant's portal, entered from the POS admin panel."""
    extra = {"locale": locale, "return_url": f"{POS_ADMIN}/admin"}
    enter(page, base, **MERCHANT, extra=extra)
    visit("overview", "/")
    visit("connection", "/connect/")
    visit("locations", "/locations")
    visit("rewards", "/rewards")
    visit("rewards-locations", "/rewards?view=locations")
    visit("products", "/products")
    visit("orders", "/orders")
    visit("order-failed", f"/orders/{FAILED_ORDER}")
    visit("access-log", "/access-log")
    visit("error-404", "/no-such-page")


def support_pages(page: Page, base: str, visit: Visit, email: str = ADMIN) -> None:
    """The support console, a read-only view and a write-mode view of Lumière."""
    page.goto(f"{base}/support/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    visit("support-login-failed", "")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    visit("support-verify", "")
    page.get_by_label("Code").fill(current_code())
    page.get_by_role("button", name="Confirm").click()
    visit("support-directory", "/support/")
    visit("support-merchant", "/support/merchants/LUMIERE")
    page.get_by_label("Reason").fill("Ticket 4521: rewards not showing")
    page.get_by_role("button", name="View as merchant").click()
    visit("support-read-overview", "/")
    visit("support-read-locations", "/locations")
    visit("support-read-connection", "/connect/")
    visit("support-write-form", "/support/view/write")
    page.get_by_label("Reason").fill("Ticket 4521: the merchant asked for the links to be saved")
    page.get_by_role("button", name="Allow changes").click()
    visit("support-write-locations", "/locations")


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_every_page_passes_axe_at_every_size(world: World, browser: Browser, size: str) -> None:
    base = world.portal.url
    findings = Findings(size)
    context = axe_context(browser, size)
    page = context.new_page()

    def visit(name: str, path: str) -> None:
        if path:
            page.goto(base + path)
        page.wait_for_load_state()
        expect(page.locator("h1").first).to_be_visible()
        findings.check(page, name)

    merchant_pages(page, base, visit)
    visit("error-401", "/launch?token=not-a-token")
    visit("demo-pos-admin", "/demo/pos-admin")
    context.close()

    context = axe_context(browser, size)
    page = context.new_page()
    support_pages(page, base, visit)
    context.close()

    # The sandbox's own pages: sign-in, consent, and a page it answers when unavailable.
    context = axe_context(browser, size)
    page = context.new_page()
    enter(page, base, **MERCHANT, extra={"locale": "en"})
    page.goto(f"{base}/connect/")
    page.get_by_role("button", name="Reconnect Pongo").click()
    visit("sandbox-sign-in", "")
    form_url = page.url
    page.get_by_label("E-mail").fill("demo@boulangerie-lumiere.fr")
    page.get_by_label("Password").fill("pongo-demo")
    page.get_by_role("button", name="Sign in").click()
    visit("sandbox-consent", "")
    with httpx.Client(base_url=world.sandbox.url) as http:
        fault = {"path": OAUTH_FORM.path, "status": 503, "count": 1}
        assert http.post("/_sandbox/faults", json=fault).status_code == 201
    page.goto(form_url)
    visit("sandbox-unavailable", "")
    context.close()
    findings.assert_clean()


def test_no_page_scrolls_sideways_on_a_phone(world: World, browser: Browser) -> None:
    base = world.portal.url
    overflow: dict[str, int] = {}
    context = axe_context(browser, "phone")
    page = context.new_page()

    def visit(name: str, path: str) -> None:
        if path:
            page.goto(base + path)
        page.wait_for_load_state()
        overflow[name] = sideways_overflow(page)

    merchant_pages(page, base, visit)
    # The header (brand, merchant, back link, sign-out) and the folded menu leave room for the
    # page: the title starts within the first quarter of the screen.
    page.goto(base + "/")
    heading = page.locator("h1").first.bounding_box()
    assert heading is not None
    assert heading["y"] < 844 / 4
    header = page.locator(".site-header").bounding_box()
    assert header is not None
    assert header["height"] < 60  # one row
    context.close()
    context = axe_context(browser, "phone")  # French: longer words
    page = context.new_page()
    merchant_pages(page, base, lambda name, path: visit(f"{name}-fr", path), "fr")
    context.close()
    context = axe_context(browser, "phone")
    page = context.new_page()
    support_pages(page, base, visit)
    context.close()
    assert len(overflow) > 25
    assert {name: px for name, px in overflow.items() if px} == {}


def test_header_actions_fit_one_row_on_a_tablet_in_french(world: World, browser: Browser) -> None:
    context = axe_context(browser, "tablet")
    page = context.new_page()
    extra = {"locale": "fr", "return_url": f"{POS_ADMIN}/admin"}
    enter(page, world.portal.url, **MERCHANT, extra=extra)
    sign_out = page.get_by_role("button", name="Se déconnecter").bounding_box()
    back = page.get_by_role("link", name="Retour à l’administration de la caisse").bounding_box()
    assert sign_out is not None
    assert back is not None
    assert abs(sign_out["y"] - back["y"]) < 4
    assert sign_out["height"] < 40  # the words do not wrap
    context.close()
