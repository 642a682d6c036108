"""The POS API's data lifecycle routes: a customer's erasure request, a merchant leaving."""

from __future__ import annotations

from flask import Response

from portal.api.http import json_answer, merchant_or_404, parse
from portal.api.openapi import Operation
from portal.api.schemas import ErasureIn, ErasureOut, OffboardOut
from portal.audit.actor import actor_from_request
from portal.privacy.erase import erase_customer
from portal.privacy.offboard import offboard_merchant
from portal.privacy.phones import customer_phone

MERCHANT = "/merchants/{ref}"
ERASURES = "/merchants/{ref}/erasures"

OPERATIONS = (
    Operation(
        ERASURES,
        "post",
        "Erase a customer's phone number from every copy the portal stores for the merchant",
        ErasureOut,
        ErasureIn,
        tag="privacy",
    ),
    Operation(
        MERCHANT,
        "delete",
        "Offboard the merchant: its data, sessions and tokens go; its audit log is pseudonymised",
        OffboardOut,
        status=202,
        tag="privacy",
    ),
)


def post_erasure(ref: str) -> tuple[Response, int]:
    """Erase the phone in the body from the merchant's orders and audit text."""
    merchant = merchant_or_404(ref)
    body = parse(ErasureIn)
    report = erase_customer(
        phone=customer_phone(body.phone), merchant=merchant, actor=actor_from_request()
    )
    return json_answer(ErasureOut(**report.as_dict()))


def delete_merchant(ref: str) -> tuple[Response, int]:
    """Offboard the merchant; 202 with what was removed."""
    merchant = merchant_or_404(ref)
    report = offboard_merchant(merchant=merchant, actor=actor_from_request())
    return json_answer(OffboardOut(**report.as_dict()), 202)
