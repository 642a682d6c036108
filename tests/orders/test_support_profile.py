"""The support page of a merchant: its language, contact, locations and recent orders."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.helpers.launch import launch
from tests.helpers.orders import add_orders, set_status
from tests.helpers.staff import AGENT, add_staff, sign_in


def test_the_support_page_shows_language_contact_locations_and_recent_orders(
    client: FlaskClient, connected_merchant: str, relay_app: Flask
) -> None:
    launch(client, extra={"locale": "fr"})
    add_orders(relay_app, [f"POS-{n}" for n in range(7)])
    set_status(relay_app, "POS-6", "failed")
    add_staff(relay_app, AGENT)
    agent = relay_app.test_client()
    assert sign_in(agent).status_code == 302

    page = agent.get("/support/merchants/M1").get_data(as_text=True)
    contact = page[page.index('id="contact-title"') :]
    assert 'class="merchant-language">Français<' in contact
    assert 'href="mailto:owner@example.com"' in contact
    places = page[page.index('class="data-table support-locations"') :]
    places = places[: places.index("</table>")]
    assert ">Paris 11</th>" in places
    assert "Lumière Paris Oberkampf" in places  # the linked store by name
    assert "Not linked" in places  # L3, the warehouse
    orders = page[page.index('class="data-table support-orders"') :]
    orders = orders[: orders.index("</table>")]
    assert orders.count("<tr>") == 1 + 5  # the header and the five latest
    assert "Failed" in orders
    assert "Paris 11" in orders
    assert "33612345678" not in page  # no customer phone on the support page
