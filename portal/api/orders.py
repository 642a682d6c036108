"""The POS API's order routes: take a closed order into the outbox, read its relay status."""

from __future__ import annotations

from flask import Response, jsonify
from werkzeug.exceptions import NotFound

from portal.api.openapi import Operation, operation
from portal.api.views import _json, bp, merchant_or_404, parse
from portal.orders import services
from portal.orders.schemas import OrderAccepted, OrderIn, OrderStatusOut

ORDERS = "/merchants/{ref}/orders"
ORDER = "/merchants/{ref}/orders/{order_ref}"

operation(
    Operation(
        ORDERS,
        "post",
        "Relay a closed, paid order to Pongo (stored at once, sent by the relay worker)",
        OrderAccepted,
        OrderIn,
        status=202,
        tag="orders",
    )
)
operation(Operation(ORDER, "get", "Where an order stands on its way to Pongo", OrderStatusOut))


@bp.post("/merchants/<ref>/orders")
def post_order(ref: str) -> tuple[Response, int]:
    """Store the order and its outbox row; 202 with the relay id, also for a repeat."""
    merchant = merchant_or_404(ref)
    body = parse(OrderIn)
    try:
        accepted, _created = services.accept_order(merchant=merchant, body=body)
    except services.OrderConflict:
        answer = jsonify(
            error="Conflict",
            message="This order_ref was already used for an order with different content.",
        )
        return answer, 409
    return _json(accepted, 202)


@bp.get("/merchants/<ref>/orders/<order_ref>")
def get_order(ref: str, order_ref: str) -> tuple[Response, int]:
    """The relay status of one order."""
    merchant = merchant_or_404(ref)
    status = services.order_status(merchant=merchant, order_ref=order_ref)
    if status is None:
        missing = NotFound()
        missing.portal_message = "Unknown order."  # type: ignore[attr-defined]  # read by errors
        raise missing
    return _json(status)
