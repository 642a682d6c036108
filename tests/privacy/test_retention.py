"""`portal purge`: finished orders lose their customer, old audit events and sessions go."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.extensions import db
from portal.models.audit import AuditEvent
from portal.models.base import utcnow
from portal.models.orders import OrderRelay
from portal.models.session import WebSession
from portal.privacy.phones import spellings
from tests.helpers.orders import OrdersApi, drain, order_body, refuse_next_order, relay_of
from tests.helpers.pages import csrf_token
from tests.privacy.dump import dump_database

DELIVERED, FAILED, WAITING = "33611111111", "33622222222", "33633333333"
# The number Pongo's refusal quotes (as 06 12 34 56 78).

RETRIED = "33612345678"


@pytest.fixture
def privacy_settings() -> dict[str, Any]:
    return {"privacy_customer_data_days": 0, "privacy_purge_batch_size": 2}


@dataclass(frozen=True)
class Shop:
    """M1 connected to the sandbox, with the POS API, a signed-in browser and Pongo."""

    api: OrdersApi
    client: FlaskClient
    app: Flask
    pongo: httpx.Client


@pytest.fixture
def shop(
    api: OrdersApi,
    client: FlaskClient,
    connected_merchant: str,
    relay_app: Flask,
    pongo: httpx.Client,
) -> Shop:
    return Shop(api, client, relay_app, pongo)


def purge(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    return result.output


def count(output: str, label: str) -> int:
    found = re.search(rf"{label}[^:]*: (\d+)", output)
    assert found, output
    return int(found.group(1))


def test_with_no_retention_no_finished_order_keeps_a_phone(shop: Shop) -> None:
    api, client, relay_app, pongo = shop.api, shop.client, shop.app, shop.pongo
    # Refused (Pongo's answer quotes the number), retried (the audit keeps the refusal), sent.
    assert api.order(order_body("R-1", customer={"phone": f"+{RETRIED}"})).status_code == 202
    refuse_next_order(pongo)
    drain(relay_app)
    token = csrf_token(client, "/orders/R-1")
    assert client.post("/orders/R-1/retry", data={"csrf_token": token}).status_code == 302
    for ref in ("A-1", "A-2", "A-3"):
        assert api.order(order_body(ref, customer={"phone": f"+{DELIVERED}"})).status_code == 202
    drain(relay_app)
    assert api.order(order_body("F-1", customer={"phone": f"+{FAILED}"})).status_code == 202
    refuse_next_order(pongo, quoted="06 22 22 22 22")
    drain(relay_app)
    assert relay_of(relay_app, "F-1").status == "failed"
    assert api.order(order_body("W-1", customer={"phone": f"+{WAITING}"})).status_code == 202
    before = dump_database(relay_app)
    assert DELIVERED in before
    assert FAILED in before
    assert "06 12 34 56 78" in before

    output = purge(relay_app)

    # Five finished orders, two per batch.
    assert count(output, "Finished orders") == 5
    after = dump_database(relay_app)
    for phone in (DELIVERED, FAILED, RETRIED):
        assert spellings(phone).search(after) is None, phone
    # An order not sent yet keeps its customer: Pongo still needs it.
    assert WAITING in after
    assert relay_of(relay_app, "A-1").status == "delivered"
    # Idempotent: a second run finds nothing more to do.
    assert count(purge(relay_app), "Finished orders") == 0


def test_audit_events_older_than_the_audit_period_are_deleted(relay_app: Flask) -> None:
    with relay_app.app_context():
        for age in (401, 402, 403, 10):
            db.session.add(
                AuditEvent(
                    at=utcnow() - timedelta(days=age),
                    actor="owner@example.com",
                    actor_kind="merchant_user",
                    action="launch",
                    details={"age": age},
                )
            )
        db.session.commit()

    output = purge(relay_app)

    assert count(output, "Audit events older") == 3
    with relay_app.app_context():
        assert db.session.scalars(select(AuditEvent.details)).all() == [{"age": 10}]


def test_the_purge_leaves_no_expired_session(relay_app: Flask) -> None:
    now = utcnow()
    rows = {
        "revoked": {"revoked_at": now},
        "idle": {"last_seen_at": now - timedelta(hours=2)},
        "too-old": {"created_at": now - timedelta(hours=13)},
        "live": {},
    }
    with relay_app.app_context():
        for name, times in rows.items():
            values: dict[str, Any] = {"created_at": now, "last_seen_at": now, **times}
            db.session.add(WebSession(id=f"{name:0>64}", data={"n": name}, **values))
        db.session.commit()

    output = purge(relay_app)

    assert count(output, "Expired or ended sessions") == 3
    dump = dump_database(relay_app)
    for name in ("revoked", "idle", "too-old"):
        assert f"{name:0>64}" not in dump
    assert f"{'live':0>64}" in dump


def test_anonymous_visits_write_no_session_row_and_sign_in_still_works(
    relay_app: Flask,
) -> None:
    from tests.helpers.staff import AGENT, add_staff, sign_in

    add_staff(relay_app, AGENT)
    # Twenty visitors, each without a cookie, as crawlers and new browsers arrive.
    for _ in range(20):
        assert relay_app.test_client().get("/support/login").status_code == 200
    client = relay_app.test_client()
    with relay_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WebSession)) == 0

    # The CSRF token lived in the signed cookie; signing in starts the server-side session.
    assert sign_in(client).status_code == 302
    with relay_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WebSession)) == 1
    assert client.get("/support/").status_code == 200


def test_a_failed_order_that_lost_its_customer_is_not_sent_again(shop: Shop) -> None:
    api, client, relay_app, pongo = shop.api, shop.client, shop.app, shop.pongo
    assert api.order(order_body("F-1")).status_code == 202
    refuse_next_order(pongo)
    drain(relay_app)
    page = client.get("/orders/F-1").get_data(as_text=True)
    assert "Retry" in page
    token = csrf_token(client, "/orders/F-1")
    purge(relay_app)

    assert "Retry" not in client.get("/orders/F-1").get_data(as_text=True)
    client.post("/orders/F-1/retry", data={"csrf_token": token})
    assert relay_of(relay_app, "F-1").status == "failed"


def test_the_purge_skips_an_order_another_transaction_holds_and_takes_it_next_time(
    api: OrdersApi, connected_merchant: str, relay_app: Flask
) -> None:
    with relay_app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("row locks: PostgreSQL only (SQLite has one writer at a time)")
    for ref, phone in (("A-1", DELIVERED), ("B-1", FAILED)):
        assert api.order(order_body(ref, customer={"phone": f"+{phone}"})).status_code == 202
    drain(relay_app)
    relay_id = relay_of(relay_app, "A-1").id
    with relay_app.app_context():
        held = db.engine.connect()
        held.execute(select(OrderRelay.id).where(OrderRelay.id == relay_id).with_for_update())
        try:
            started = time.monotonic()
            output = purge(relay_app)
            # Nothing waited for the lock: the held order is left for the next run.
            assert time.monotonic() - started < 5
            assert count(output, "Finished orders") == 1
            assert DELIVERED in dump_database(relay_app)
        finally:
            held.rollback()
            held.close()

    assert count(purge(relay_app), "Finished orders") == 1
    assert spellings(DELIVERED).search(dump_database(relay_app)) is None
