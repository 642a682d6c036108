"""POST and GET of orders through the POS API: validation, refusals, the outbox, repeats."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from flask import Flask
from sqlalchemy import event, func, select

from portal.api.orders import accept
from portal.api.schemas import OrderIn
from portal.extensions import db
from portal.models.orders import Order, OrderRelay
from tests.helpers.orders import (
    LOCATIONS,
    OrdersApi,
    fake_connection,
    link_locations,
    order_body,
)


def counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Order)) or 0,
            db.session.scalar(select(func.count()).select_from(OrderRelay)) or 0,
        )


def paths(answer: Any) -> dict[str, str]:
    return {error["path"]: error["message"] for error in answer.json["errors"]}


def test_order_is_stored_with_its_outbox_row_and_answered_202(
    api: OrdersApi, connected_merchant: str, relay_app: Flask
) -> None:
    """SEC-30: order is stored with its outbox row and answered 202."""
    answer = api.order(order_body())
    assert answer.status_code == 202
    assert answer.json["status"] == "pending"
    assert answer.json["relay_id"].startswith("rel_")
    assert answer.json["loyalty_store_slug"] == "lumiere-paris-11"
    assert counts(relay_app) == (1, 1)


def test_same_order_ref_twice_is_one_order_with_the_first_answer(
    api: OrdersApi, connected_merchant: str, relay_app: Flask
) -> None:
    """SEC-30: same order ref twice is one order with the first answer."""
    first = api.order(order_body())
    again = api.order(order_body())
    assert (again.status_code, again.json) == (202, first.json)
    assert counts(relay_app) == (1, 1)


def test_same_order_ref_with_other_content_is_a_conflict(
    api: OrdersApi, connected_merchant: str, relay_app: Flask
) -> None:
    api.order(order_body())
    answer = api.order(order_body(total_cents=9999))
    assert answer.status_code == 409
    assert counts(relay_app) == (1, 1)


def test_invalid_body_lists_every_field_error_and_writes_nothing(
    api: OrdersApi, connected_merchant: str, relay_app: Flask
) -> None:
    body = order_body(
        total_cents=-1,
        created_at="2026-11-27T09:30:00",
        customer={"phone": None, "public_id": None},
        lines=[{"sku": "", "name": "x", "quantity": 0, "unit_price_cents": 1}],
    )
    del body["order_ref"]
    answer = api.order(body)
    assert answer.status_code == 422
    assert set(paths(answer)) == {
        "order_ref",
        "total_cents",
        "created_at",
        "customer",
        "lines.0.sku",
        "lines.0.quantity",
    }
    assert counts(relay_app) == (0, 0)


def test_order_without_lines_is_refused(api: OrdersApi, connected_merchant: str) -> None:
    answer = api.order(order_body(lines=[]))
    assert "lines" in paths(answer)


@pytest.mark.parametrize("phone", ["06 12 34 56 78", "+33 6 12 AB", "+12", "+0612345678"])
def test_phone_must_be_international(api: OrdersApi, connected_merchant: str, phone: str) -> None:
    answer = api.order(order_body(customer={"phone": phone}))
    assert "customer.phone" in paths(answer)


def test_public_id_alone_identifies_the_customer(api: OrdersApi, connected_merchant: str) -> None:
    answer = api.order(order_body(customer={"public_id": "cus_42"}))
    assert answer.status_code == 202


def test_unknown_location_is_refused_with_its_reason(
    api: OrdersApi, connected_merchant: str, relay_app: Flask
) -> None:
    answer = api.order(order_body(location_ref="L9"))
    assert answer.status_code == 422
    assert paths(answer)["location_ref"].startswith("unknown location")
    assert counts(relay_app) == (0, 0)


def test_unlinked_location_is_refused_with_its_reason(
    api: OrdersApi, connected_merchant: str
) -> None:
    answer = api.order(order_body(location_ref="L3"))
    assert answer.status_code == 422
    assert paths(answer)["location_ref"].startswith("location not linked")


def test_merchant_never_connected_is_refused(api: OrdersApi, relay_app: Flask) -> None:
    api.put("/merchants/M2", {"name": "Nonna"})
    api.put("/merchants/M2/locations", {"locations": LOCATIONS})
    link_locations(relay_app, "M2", {"L1": "nonna-nice"})
    answer = api.order(order_body(), merchant="M2")
    assert answer.status_code == 422
    assert paths(answer)[""].startswith("merchant not connected")


def test_merchant_disconnected_after_connecting_keeps_its_orders_paused(
    api: OrdersApi, connected_merchant: str, client: Any, relay_app: Flask
) -> None:
    from tests.helpers.pages import csrf_token

    client.post("/connect/disconnect", data={"csrf_token": csrf_token(client, "/connect/")})
    answer = api.order(order_body())
    assert (answer.status_code, answer.json["status"]) == (202, "paused")


def test_merchant_needing_reconnection_keeps_its_orders_paused(
    api: OrdersApi, connected_merchant: str, pongo: httpx.Client
) -> None:
    from portal.pongo.connection import mark_needs_reconnection

    with api.client.application.app_context():
        mark_needs_reconnection(1, "token rejected")
    answer = api.order(order_body())
    assert (answer.status_code, answer.json["status"]) == (202, "paused")


def test_unknown_merchant_is_404(api: OrdersApi) -> None:
    assert api.order(order_body(), merchant="NOPE").status_code == 404


def test_status_of_an_order(api: OrdersApi, connected_merchant: str) -> None:
    relay_id = api.order(order_body()).json["relay_id"]
    status = api.get("/merchants/M1/orders/POS-1001")
    assert status.status_code == 200
    assert status.json["relay_id"] == relay_id
    assert status.json["status"] == "pending"
    assert status.json["attempts"] == 0
    assert status.json["last_error"] is None


def test_status_of_an_unknown_order_is_404(api: OrdersApi, connected_merchant: str) -> None:
    assert api.get("/merchants/M1/orders/NOPE").status_code == 404


def test_orders_of_one_merchant_are_invisible_to_another(
    api: OrdersApi, connected_merchant: str, relay_app: Flask
) -> None:
    api.order(order_body())
    fake_connection(relay_app, "M2", "Nonna")
    assert api.get("/merchants/M2/orders/POS-1001").status_code == 404


def test_rolled_back_order_leaves_no_outbox_row(
    api: OrdersApi, connected_merchant: str, relay_app: Flask
) -> None:
    """SEC-30: rolled back order leaves no outbox row."""
    from portal.models.merchant import Merchant

    with relay_app.test_request_context():
        m1 = db.session.scalar(select(Merchant).where(Merchant.ref == "M1"))
        assert m1 is not None
        accept(merchant=m1, body=OrderIn.model_validate(order_body()))
        db.session.rollback()
    assert counts(relay_app) == (0, 0)


def test_a_racing_duplicate_answers_the_stored_order(
    api: OrdersApi, connected_merchant: str, relay_app: Flask
) -> None:
    """Two requests pass the lookup together; the unique constraint settles it."""
    from portal.models.merchant import Merchant

    answers: list[Any] = []

    def other_request_lands_first(*_: Any) -> None:
        # This request's lookup missed; the same order arrives through the API (in its own
        # thread, so its own session) and is stored before this request's insert.
        other = threading.Thread(target=lambda: answers.append(api.order(order_body())))
        other.start()
        other.join(timeout=30)

    with relay_app.test_request_context():
        m1 = db.session.scalar(select(Merchant).where(Merchant.ref == "M1"))
        assert m1 is not None
        event.listen(db.session(), "before_flush", other_request_lands_first, once=True)
        accepted, created = accept(merchant=m1, body=OrderIn.model_validate(order_body()))
        relay_id = accepted.relay.relay_id
        db.session.commit()
    (first,) = answers
    assert first.status_code == 202, first.json
    assert not created
    assert relay_id == first.json["relay_id"]
    assert counts(relay_app) == (1, 1)


def test_the_service_gives_every_refusal_with_its_code(api: OrdersApi, relay_app: Flask) -> None:
    """The orders service refuses in its own terms; only the API knows about HTTP."""
    from portal.models.merchant import Merchant
    from portal.orders.services import OrderRefused, RefusalCode

    api.put("/merchants/M2", {"name": "Nonna"})
    with relay_app.test_request_context():
        m2 = db.session.scalar(select(Merchant).where(Merchant.ref == "M2"))
        assert m2 is not None
        with pytest.raises(OrderRefused) as refused:
            accept(merchant=m2, body=OrderIn.model_validate(order_body(location_ref="L9")))
    reasons = {(r.code, r.field) for r in refused.value.reasons}
    assert reasons == {
        (RefusalCode.MERCHANT_NOT_CONNECTED, ""),
        (RefusalCode.UNKNOWN_LOCATION, "location_ref"),
    }
    assert counts(relay_app) == (0, 0)


def test_the_orders_package_never_imports_the_api() -> None:
    """The dependency runs one way: portal/api/ uses the orders service, never the reverse."""
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "portal" / "orders"
    imported = {
        (path.name, node.module or "")
        for path in package.glob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom)
    } | {
        (path.name, alias.name)
        for path in package.glob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert sorted(i for i in imported if i[1].startswith("portal.api")) == []
