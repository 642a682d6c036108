"""Orders to look at in the demo: Pizzeria Nonna comes connected, with three relayed orders.

One order was delivered, one was refused by Pongo with its reason, and one waits, paused,
because Pongo then revoked Nonna's access: reconnecting Nonna sends it. The connection is
made with the sandbox's password grant, the demo's stand-in for the owner's consent.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from flask import current_app
from sqlalchemy import select

from portal.api import keys
from portal.audit.actor import SYSTEM
from portal.connect.services import first_sync
from portal.demo.data import NONNA
from portal.extensions import db
from portal.locations.operations import RowEdit, save_links
from portal.models.base import utcnow
from portal.models.merchant import Merchant
from portal.models.orders import Order
from portal.orders.relay import RelayWorker
from portal.pongo import PongoClient
from portal.pongo.connection import save_connection
from portal.pongo.endpoints import TOKEN
from portal.pongo.merchant import pongo_settings
from portal.pongo.tokens import TokenSet

NONNA_LOGIN = "demo@nonna.example"
NONNA_PASSWORD = "pongo-demo"  # noqa: S105  # the sandbox fixture's published demo password
NONNA_LINKS = {"N1": "nonna-marseille", "N2": "nonna-nice"}
# A fixed time, so that a second `make demo` on the same database sends the same orders.
ORDERED_AT = "2026-11-28T19:30:00+01:00"
# What Pongo answers for an order it refuses: the reason the Orders page shows.
REFUSAL = {
    "message": "The given data was invalid.",
    "errors": {"customer_public_id": ["The selected customer public id is invalid."]},
}


class DemoOrdersError(RuntimeError):
    """A step of the demo orders went otherwise than planned; the message says which."""


def demo_order(ref: str, location_ref: str, customer: str | None = None) -> dict[str, Any]:
    """A closed, paid order of two pizzas and a tiramisu, as Nonna's POS sends it."""
    return {
        "order_ref": ref,
        "location_ref": location_ref,
        "total_cents": 2750,
        "tax_cents": 250,
        "created_at": ORDERED_AT,
        "customer": {"phone": "+33 6 12 34 56 78", "public_id": customer},
        "lines": [
            {"sku": "PIZ-001", "name": "Pizza Margherita", "quantity": 2, "unit_price_cents": 1050},
            {"sku": "PIZ-DOLCE-01", "name": "Tiramisu", "quantity": 1, "unit_price_cents": 650},
        ],
    }


def _connect_nonna(sandbox: httpx.Client) -> Merchant:
    """Sign Nonna in at the sandbox, store the connection, fetch stores and rewards, link."""
    settings = pongo_settings()
    answer = sandbox.post(
        TOKEN.path,
        data={
            "grant_type": "password",
            "username": NONNA_LOGIN,
            "password": NONNA_PASSWORD,
            "scope": settings.scope_param,
            "client_id": settings.client_id,
            "client_secret": settings.client_secret,
        },
    )
    if answer.status_code != 200:
        raise DemoOrdersError(f"sandbox password grant: {answer.status_code} {answer.text}")
    body = answer.json()
    tokens = TokenSet(
        access_token=body["access_token"],
        refresh_token=body.get("refresh_token"),
        expires_at=utcnow() + timedelta(seconds=int(body.get("expires_in", 3600))),
        scopes=tuple(settings.scopes),
    )
    merchant = db.session.scalar(select(Merchant).where(Merchant.ref == NONNA["ref"]))
    if merchant is None:
        raise DemoOrdersError("load the demo data first")
    with PongoClient(settings, access_token=lambda: tokens.access_token) as pongo:
        account = pongo.me()
        save_connection(merchant, tokens=tokens, account=account, actor=SYSTEM)
        if not first_sync(merchant, pongo, SYSTEM):
            raise DemoOrdersError("the sandbox did not list Nonna's stores and rewards")
    # The demo links Nonna's locations just after loading them: none is linked yet (version 0).
    edits = {ref: RowEdit(choice=slug, drawn=None, version=0) for ref, slug in NONNA_LINKS.items()}
    save_links(merchant=merchant, edits=edits, actor=SYSTEM)
    db.session.commit()
    return merchant


def _send(worker: RelayWorker, order: dict[str, Any], headers: dict[str, str]) -> None:
    """Post an order through the POS API, then let the relay take it at once."""
    path = f"/api/v1/merchants/{NONNA['ref']}/orders"
    answer = current_app.test_client().post(path, json=order, headers=headers)
    if answer.status_code != 202:
        raise DemoOrdersError(f"POST {path}: {answer.status_code} {answer.text}")
    worker.drain()


def seed_demo_orders(sandbox_url: str) -> int:
    """Connect Nonna and relay three orders: delivered, failed, paused; returns how many.

    A database that has Nonna's orders already (an earlier `make demo`) is left as it is.
    """
    nonna = db.session.scalar(select(Merchant.id).where(Merchant.ref == NONNA["ref"]))
    if nonna is None or db.session.scalar(select(Order.id).where(Order.merchant_id == nonna)):
        return 0
    new = keys.create_key(name="demo-orders loader")
    db.session.commit()
    headers = {"Authorization": f"Bearer {new.plaintext}"}
    # The worker opens its own app contexts: it needs the app itself, not the proxy.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        with (
            httpx.Client(base_url=sandbox_url, timeout=10) as sandbox,
            RelayWorker(app) as worker,
        ):
            _connect_nonna(sandbox)
            _send(worker, demo_order("NONNA-1001", "N1"), headers)
            fault = {"path": "/v1/orders", "method": "POST", "status": 422, "body": REFUSAL}
            sandbox.post("/_sandbox/faults", json=fault).raise_for_status()
            _send(worker, demo_order("NONNA-1002", "N2", customer="cus_left_pongo"), headers)
            sandbox.post("/_sandbox/tokens/revoke", json={"login": NONNA_LOGIN}).raise_for_status()
            _send(worker, demo_order("NONNA-1003", "N1"), headers)
    finally:
        keys.revoke_key(prefix=new.key.prefix)
        db.session.commit()
    return 3
