"""The POS API's cancellation and refund route: a status change, relayed after its order."""

from __future__ import annotations

from flask import Response, jsonify

from portal.api.http import json_answer, merchant_or_404, not_found, parse
from portal.api.openapi import Operation
from portal.api.schemas import StatusIn, StatusUpdateOut
from portal.models.status_updates import OrderStatusUpdate
from portal.orders.status_updates import (
    PosStatus,
    StatusRefused,
    UnknownOrder,
    request_status_update,
)

STATUS = "/merchants/{ref}/orders/{order_ref}/status"


OPERATIONS = (
    Operation(
        STATUS,
        "post",
        "Cancel or refund an order (relayed to Pongo strictly after the order itself)",
        StatusUpdateOut,
        StatusIn,
        status=202,
        also=(409,),
        tag="orders",
    ),
)


def update_out(row: OrderStatusUpdate) -> StatusUpdateOut:
    """A stored change as the API shows it."""
    return StatusUpdateOut.model_validate(
        {
            "status": row.status,
            "state": row.state,
            "seq": row.seq,
            "requested_at": row.requested_at,
            "delivered_at": row.delivered_at,
            "last_error": row.last_error,
        }
    )


def post_status(ref: str, order_ref: str) -> tuple[Response, int]:
    """Store the change; 202 with where it stands, also when it was asked before."""
    merchant = merchant_or_404(ref)
    body = parse(StatusIn)
    try:
        requested = request_status_update(
            merchant=merchant, order_ref=order_ref, status=PosStatus(body.status)
        )
    except UnknownOrder:
        raise not_found("Unknown order.") from None
    except StatusRefused as refused:
        return jsonify(error="Conflict", message=str(refused)), 409
    return json_answer(update_out(requested.update), 202)
