"""The order part of `portal pongo-check`: one test order, its repeat and a broken copy.

The body comes from the caller (the portal's own mapping, for an order nobody identified
on), so that what is checked is what the portal sends.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

import httpx

from portal.pongo import endpoints, inferred
from portal.pongo.check_report import CONFIRMED, DIFFERS, NOT_CHECKED, Report, clip, json_of, said
from portal.pongo.endpoints import Customer, Line, Order
from portal.pongo.reference import Cited

Call = Callable[..., httpx.Response | None]

# Required by the reference: an accepted order confirms our names for them.
REQUIRED_GUESSES = (
    Order.CHANNEL,
    Order.DELIVERY_MODE,
    Order.AMOUNT,
    Order.STATUS,
    Order.CREATED_AT,
    Order.DELIVERY_STATUS,
)
# Optional: Pongo (Laravel) drops names it does not know, so acceptance proves nothing.
OPTIONAL_GUESSES = (
    Order.TAX_AMOUNT,
    Order.TABLET_ID,
    Order.DEVICE_ID,
    Order.DEVICE_NAME,
    Customer.PHONE,
    Customer.PUBLIC_ID,
    Line.SKU,
    Line.NAME,
    Line.QUANTITY,
    Line.UNIT_PRICE,
    Line.AMOUNT,
)
ENUM_GUESSES = (
    (Order.CHANNEL, inferred.CHANNEL),
    (Order.DELIVERY_MODE, inferred.DELIVERY_MODE),
    (Order.STATUS, inferred.STATUS),
    (Order.DELIVERY_STATUS, inferred.DELIVERY_STATUS),
)


def _cited(key: str) -> str:
    """Our cited name for a key of Pongo's errors ("lines.0.amount" → the line's amount)."""
    parts = [p for p in key.split(".") if not p.isdigit()]
    holder = {"lines": vars(Line), "customer": vars(Customer)}.get(parts[0]) if parts else None
    pool = list((holder or vars(Order)).values())
    leaf = parts[-1] if parts else key
    found = next((n for n in pool if isinstance(n, Cited) and n == leaf), None)
    return found if found is not None else f"order field {clip(key, 60)!r} (not sent)"


def check_order(call: Call, report: Report, body: dict[str, Any]) -> None:
    """Post the test order, repeat it, then send it broken; note what each answer says."""
    path = endpoints.CREATE_ORDER.path
    headers = {"Idempotency-Key": body[Order.ORDER_ID]}
    first = call("POST", path, json=body, headers=headers)
    if first is None:
        return
    answer = json_of(first)
    if first.status_code == 422 and isinstance(answer, Mapping):
        report.add(CONFIRMED, path, "Pongo validated the order")
        errors = answer.get(inferred.ERROR_FIELDS)
        for key, messages in errors.items() if isinstance(errors, Mapping) else []:
            said_ = messages[0] if isinstance(messages, list) and messages else messages
            report.add(DIFFERS, _cited(str(key)), f"Pongo said: {clip(said_)}")
        if not isinstance(errors, Mapping):
            report.add(DIFFERS, inferred.ERROR_FIELDS, said(first))
        return
    if first.status_code not in (200, 201) or not isinstance(answer, Mapping):
        report.add(DIFFERS, path, said(first))
        return
    report.add(CONFIRMED, path, f"test order {body[Order.ORDER_ID]} accepted")
    _accepted(report, body, answer)
    _repeat(call, report, body, answer)
    _broken(call, report, body)
    pongo_id = answer.get(inferred.ORDER_ANSWER_ID)
    if isinstance(pongo_id, str | int) and pongo_id:
        _cancel(call, report, str(pongo_id))


def _accepted(report: Report, body: dict[str, Any], answer: Mapping[str, Any]) -> None:
    for name in REQUIRED_GUESSES:
        report.add(CONFIRMED, name, "required, and Pongo accepted the order")
    for field, guess in ENUM_GUESSES:
        sent = body.get(field)
        if sent == guess:
            report.add(CONFIRMED, guess, "Pongo accepted it")
        else:
            report.add(CONFIRMED, f"{field} value {sent!r} (from PONGO_ORDER_*)", "accepted")
    for name in OPTIONAL_GUESSES:
        report.add(
            NOT_CHECKED,
            name,
            "Pongo ignores names it does not know: look at the test order in its back office",
        )
    has_id = inferred.ORDER_ANSWER_ID in answer
    report.check(has_id, inferred.ORDER_ANSWER_ID, came=f"fields: {', '.join(sorted(answer))}")


def _repeat(call: Call, report: Report, body: dict[str, Any], first: Mapping[str, Any]) -> None:
    again = call("POST", endpoints.CREATE_ORDER.path, json=body)
    if again is None:
        return
    answer = json_of(again)
    message = answer.get(inferred.ERROR_MESSAGE) if isinstance(answer, Mapping) else None
    same_id = isinstance(answer, Mapping) and answer.get(inferred.ORDER_ANSWER_ID) == first.get(
        inferred.ORDER_ANSWER_ID
    )
    ok = (
        again.status_code == endpoints.ALREADY_PROCESSED_STATUS
        and message == endpoints.ALREADY_PROCESSED
        and same_id
    )
    came = f"{said(again)}, same id: {'yes' if same_id else 'no'}"
    report.check(ok, endpoints.ALREADY_PROCESSED, came=came, note="202 on the repeat")


def _broken(call: Call, report: Report, body: dict[str, Any]) -> None:
    # The same order id, so that a Pongo accepting it anyway adds no second order.
    broken = {**body, Order.LINES: []}
    refused = call("POST", endpoints.CREATE_ORDER.path, json=broken)
    if refused is None:
        return
    answer = json_of(refused)
    errors = answer.get(inferred.ERROR_FIELDS) if isinstance(answer, Mapping) else None
    ok = refused.status_code == 422 and isinstance(errors, Mapping) and Order.LINES in errors
    came = f"an order without lines got {said(refused)}"
    report.check(ok, inferred.ERROR_FIELDS, came=came, note="a 422 naming 'lines'")
    has_message = isinstance(answer, Mapping) and inferred.ERROR_MESSAGE in answer
    report.check(has_message, inferred.ERROR_MESSAGE, came=came, note="in a 422")


def _cancel(call: Call, report: Report, pongo_id: str) -> None:
    """Cancel the test order, as the portal sends a cancellation, so it earns nobody points."""
    endpoint = endpoints.UPDATE_ORDER_STATUS
    path = endpoint.path.replace("{id}", quote(pongo_id, safe=""))
    cancelled = endpoints.STATUS_VALUES[0]
    reply = call(endpoint.method, path, json={endpoints.STATUS_FIELD: cancelled})
    if reply is None:
        return
    if reply.is_success:
        for subject in (endpoint.path, endpoints.STATUS_FIELD, cancelled, endpoint.scope):
            if subject is not None:
                report.add(CONFIRMED, subject, "the test order was cancelled")
        return
    if reply.status_code == 403 and endpoint.scope is not None:
        report.add(DIFFERS, endpoint.scope, said(reply))
    elif reply.status_code == 422:
        answer = json_of(reply)
        errors = answer.get(inferred.ERROR_FIELDS) if isinstance(answer, Mapping) else None
        if isinstance(errors, Mapping) and endpoints.STATUS_FIELD in errors:
            report.add(DIFFERS, cancelled, said(reply))
        else:
            report.add(DIFFERS, endpoints.STATUS_FIELD, said(reply))
    else:
        report.add(DIFFERS, endpoint.path, said(reply))
    report.add(NOT_CHECKED, "the test order", f"{pongo_id} stays in Pongo: cancel it there")
