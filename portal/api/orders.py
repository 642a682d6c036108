"""The POS API's order routes: take a closed order into the outbox, read its relay status.

The orders service speaks in domain values and refusals; this module turns the body into
them and the refusals into 422 (field errors) or 409 (an order_ref reused).
"""

from __future__ import annotations

import hashlib
import json

from flask import Response, jsonify

from portal.api.errors import InvalidBody
from portal.api.http import json_answer, merchant_or_404, not_found, parse
from portal.api.openapi import Operation
from portal.api.order_status import update_out
from portal.api.schemas import FieldError, OrderAccepted, OrderIn, OrderStatusOut
from portal.models.merchant import Merchant
from portal.models.orders import RelayStatus
from portal.orders import services
from portal.orders.mapping import InternationalPhone, PosLine, PosOrder
from portal.orders.services import OrderRefused, OrderRow, Refusal, RefusalCode
from portal.orders.status_updates import updates_of

ORDERS = "/merchants/{ref}/orders"
ORDER = "/merchants/{ref}/orders/{order_ref}"

# The OpenAPI entries of the routes below, added to the document where the routes are added.
OPERATIONS = (
    Operation(
        ORDERS,
        "post",
        "Relay a closed, paid order to Pongo (stored at once, sent by the relay worker)",
        OrderAccepted,
        OrderIn,
        status=202,
        tag="orders",
    ),
    Operation(ORDER, "get", "Where an order stands on its way to Pongo", OrderStatusOut),
)

# What the POS developer can do about a refusal, after the service's reason.
HINTS = {RefusalCode.UNKNOWN_LOCATION: " (push it with PUT /merchants/{ref}/locations first)"}


# Fields the API took later: left out of the fingerprint while unset, so that an order
# posted before they existed and posted again since keeps its fingerprint.
LATER_FIELDS = ("device_id", "device_name")
LATER_CUSTOMER_FIELDS = ("has_optin",)


def body_hash(body: OrderIn) -> str:
    """A fingerprint of the order as the POS sent it (after validation)."""
    dumped = body.model_dump(mode="json")
    for name in LATER_FIELDS:
        if dumped.get(name) is None:
            dumped.pop(name, None)
    for name in LATER_CUSTOMER_FIELDS:
        if dumped.get("customer") and dumped["customer"].get(name) is None:
            dumped["customer"].pop(name, None)
    canonical = json.dumps(dumped, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def pos_order(body: OrderIn) -> PosOrder:
    """The validated body as the orders service's input."""
    return PosOrder(
        order_ref=body.order_ref,
        total_cents=body.total_cents,
        tax_cents=body.tax_cents,
        created_at=body.created_at,
        # A line has the same fields in the API and in the orders core.
        lines=tuple(PosLine(**line.model_dump()) for line in body.lines),
        customer_phone=InternationalPhone.digits_of(body.customer.phone) if body.customer else None,
        customer_public_id=body.customer.public_id if body.customer else None,
        customer_has_optin=body.customer.has_optin if body.customer else None,
        device_id=body.device_id,
        device_name=body.device_name,
    )


def accept(*, merchant: Merchant, body: OrderIn) -> tuple[OrderRow, bool]:
    """Hand a validated order body to the orders service; True when the order is new."""
    return services.accept_order(
        merchant=merchant,
        order=pos_order(body),
        location_ref=body.location_ref,
        fingerprint=body_hash(body),
    )


def _field_error(refusal: Refusal) -> FieldError:
    reason = refusal.code.replace("_", " ")
    hint = HINTS.get(refusal.code, "")
    return FieldError(path=refusal.field, message=f"{reason}: {refusal.message}{hint}")


def _accepted(row: OrderRow) -> OrderAccepted:
    return OrderAccepted(
        relay_id=row.relay.relay_id,
        order_ref=row.order.order_ref,
        status=RelayStatus(row.relay.status).value,
        loyalty_store_slug=row.order.store_slug,
    )


def _status(row: OrderRow) -> OrderStatusOut:
    order, relay = row.order, row.relay
    return OrderStatusOut(
        relay_id=relay.relay_id,
        order_ref=order.order_ref,
        location_ref=order.location_ref,
        loyalty_store_slug=order.store_slug,
        status=RelayStatus(relay.status).value,
        attempts=relay.attempts,
        last_error=relay.last_error,
        next_attempt_at=relay.next_attempt_at if relay.status == RelayStatus.PENDING else None,
        pongo_order_id=relay.pongo_order_id,
        delivered_at=relay.delivered_at,
        received_at=order.received_at,
        status_updates=[update_out(u) for u in updates_of(order.id)],
    )


def post_order(ref: str) -> tuple[Response, int]:
    """Store the order and its outbox row; 202 with the relay id, also for a repeat."""
    merchant = merchant_or_404(ref)
    body = parse(OrderIn)
    try:
        row, _created = accept(merchant=merchant, body=body)
    except OrderRefused as refused:
        if any(r.code is RefusalCode.ORDER_REF_REUSED for r in refused.reasons):
            answer = jsonify(
                error="Conflict",
                message="This order_ref was already used for an order with different content.",
            )
            return answer, 409
        raise InvalidBody(_field_error(r) for r in refused.reasons) from None
    return json_answer(_accepted(row), 202)


def get_order(ref: str, order_ref: str) -> tuple[Response, int]:
    """The relay status of one order."""
    merchant = merchant_or_404(ref)
    row = services.find_order(merchant=merchant, order_ref=order_ref)
    if row is None:
        raise not_found("Unknown order.")
    return json_answer(_status(row))
