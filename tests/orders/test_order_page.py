"""A refused order's page: names, the sale, the customer masked, a timeline, Retry explained."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from portal.extensions import db
from portal.models.connection import ConnectionStatus, PongoConnection
from tests.helpers.orders import add_orders, fast_worker, set_status


def technical_part(page: str) -> tuple[str, str]:
    """(what a person reads, what sits under "Technical details")."""
    cut = page.index('<details class="technical-details">')
    return page[:cut], page[cut:]


def test_a_refused_order_reads_without_codes(
    client: FlaskClient, connected_merchant: str, relay_app: Flask
) -> None:
    add_orders(relay_app, ["POS-7"])
    with fast_worker(relay_app) as worker:
        worker.drain()
    set_status(relay_app, "POS-7", "failed", "Pongo rejected the order (HTTP 422)")
    page = client.get("/orders/POS-7").get_data(as_text=True)
    readable, technical = technical_part(page)

    # The sale's own time (09:30 in Paris), not only when it was relayed.
    assert "Sale of Nov 27, 2026, 9:30\u202fAM (UTC+1)" in readable
    assert "Paris 11" in readable  # the location by name
    assert "Lumière Paris Oberkampf" in readable  # its Pongo store by name
    assert "+33 ••••••• 78" in readable  # the customer, masked
    assert "12 34 56" not in page
    assert "612345678" not in readable
    assert ">Croissant" in readable
    assert ">Coffee" in readable
    assert "Sale at Paris 11" in readable  # the timeline
    assert "Received from your POS" in readable
    assert "Sent to Pongo (attempt 1):" in readable
    assert "Retry</button>" in readable
    assert "disabled" not in readable[readable.index("order-retry") :]
    # Codes only under "Technical details".
    shown = re.sub(r"<[^>]+>", " ", readable.split("</header>", 1)[1])
    for code in ("POS-7", "lumiere-paris-11", " L1 ", "{"):
        assert code not in shown, code
    assert "POS-7" in technical
    assert "lumiere-paris-11" in technical

    listing = client.get("/orders").get_data(as_text=True)
    row = listing[listing.index(">POS-7<") :]
    row = row[: row.index("</tr>")]
    assert "Paris 11" in row
    assert "lumiere-paris-11" not in row
    assert "→" not in row


def test_retry_is_disabled_and_explained_while_pongo_needs_reconnecting(
    client: FlaskClient, connected_merchant: str, relay_app: Flask
) -> None:
    add_orders(relay_app, ["POS-8"])
    set_status(relay_app, "POS-8", "failed")
    with relay_app.app_context():
        db.session.execute(
            update(PongoConnection).values(status=ConnectionStatus.NEEDS_RECONNECTION)
        )
        db.session.commit()
    page = client.get("/orders/POS-8").get_data(as_text=True)
    assert 'disabled aria-describedby="retry-blocked"' in page
    assert "Retry is available once Pongo is reconnected" in page
    assert 'href="/connect/"' in page[page.index('id="retry-blocked"') :]
