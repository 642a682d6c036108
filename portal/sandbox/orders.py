"""Pongo's create-order endpoint as its reference states it (createanorder-1), strictly.

The reference lists 19 body parameters with their types, which are required and which
may be null; the captured page dropped most of their names, so each name is tagged "C"
(printed somewhere in Pongo's docs) or "I" (read from the description). A body breaking
a stated rule gets Laravel's 422; a field the reference does not list is ignored, as
Laravel ignores it, and the order log says which were ignored so that tests can see a
client sending what Pongo would drop.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Response, current_app, request

from portal.sandbox import routes
from portal.sandbox.api import authorized, json_answer, slugs
from portal.sandbox.fixture_checks import JSONDict
from portal.sandbox.oauth import sandbox_state
from portal.sandbox.state import AccessToken, Account


def _string(value: Any) -> bool:
    return isinstance(value, str)


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _date(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _objects(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def _object(value: Any) -> bool:
    return isinstance(value, dict)


@dataclass(frozen=True)
class Param:
    """One body parameter of create-order, as the reference types it."""

    name: str
    check: Callable[[Any], bool]
    kind: str  # the words of Laravel's message: "a string", "an integer"...
    required: bool = False
    nullable: bool = False
    enum: bool = False
    source: str = "I"


# In the reference's order. Names: "C" printed in Pongo's docs, "I" inferred.
PARAMS = (
    Param("order_id", _string, "a string", required=True, source="C"),
    Param("partner_order_id", _string, "a string", nullable=True),
    Param("channel", _string, "a string", required=True, enum=True),
    Param("delivery_mode", _string, "a string", required=True, enum=True),
    Param("loyalty_store_slug", _string, "a string", required=True, source="C"),
    Param("tablet_id", _integer, "an integer", nullable=True),
    Param("amount", _integer, "an integer", required=True),
    Param("tax_amount", _integer, "an integer", nullable=True),
    Param("reward_ids", _strings, "a list of strings", source="C"),
    Param("status", _string, "a string", required=True, enum=True),
    Param("created_at", _date, "a valid date", required=True),
    Param("delivery_status", _string, "a string", required=True, enum=True),
    Param("withdrawal_at", _date, "a valid date", nullable=True),
    Param("comment", _string, "a string", nullable=True),
    Param("lines", _objects, "a list of objects", required=True, source="C"),
    Param("customer", _object, "an object", nullable=True, source="C"),
    Param("payments", _objects, "a list of objects", source="C"),
    Param("device_id", _string, "a string", nullable=True),
    Param("device_name", _string, "a string", nullable=True),
)
ENUM_FIELDS = tuple(p.name for p in PARAMS if p.enum)
KNOWN = frozenset(p.name for p in PARAMS)

# Inside `customer` the reference gives no names [U]; these are the names the guides
# suggest (phone, public id, has_optin from the POS guide) and are checked only for type.
CUSTOMER_FIELDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "phone": (_string, "a string"),
    "public_id": (_string, "a string"),
    "has_optin": (lambda v: isinstance(v, bool), "true or false"),
}


def _human(name: str) -> str:
    return name.replace("_", " ")


def order_errors(body: Any, account: Account) -> dict[str, list[str]]:
    """Check an order body against the reference's stated rules, in Laravel's words."""
    if not isinstance(body, dict):
        return {"body": ["The request body must be a JSON object."]}
    errors: dict[str, list[str]] = {}
    allowed: dict[str, list[str] | None] = current_app.config["SANDBOX_ORDER_ENUMS"]
    for param in PARAMS:
        message = _param_error(param, body, allowed.get(param.name))
        if message:
            errors[param.name] = [message]
    slug = body.get("loyalty_store_slug")
    if "loyalty_store_slug" not in errors and slug not in slugs(account.stores):
        errors["loyalty_store_slug"] = ["The selected loyalty store slug is invalid."]
    customer = body.get("customer")
    if isinstance(customer, dict):
        for name, (check, kind) in CUSTOMER_FIELDS.items():
            if customer.get(name) is not None and not check(customer[name]):
                errors[f"customer.{name}"] = [f"The customer.{name} must be {kind}."]
    return errors


def _param_error(param: Param, body: JSONDict, allowed: list[str] | None) -> str | None:
    name = _human(param.name)
    if param.name not in body:
        return f"The {name} field is required." if param.required else None
    value = body[param.name]
    if value is None:
        if param.nullable:
            return None
        return (
            f"The {name} field is required."
            if param.required
            else f"The {name} must be {param.kind}."
        )
    if param.required and value in ("", []):
        return (
            f"The {name} field is required."
            if value == ""
            else f"The {name} must have at least 1 items."
        )
    if not param.check(value):
        return f"The {name} must be {param.kind}."
    if param.enum and allowed is not None and value not in allowed:
        return f"The selected {name} is invalid."
    return None


def create_order(account: Account, body: Any) -> tuple[int, JSONDict]:
    """Validate and record an order; a repeated order_id for the same store gets 202 [C]."""
    state = sandbox_state()
    with state.lock:
        errors = order_errors(body, account)
        if errors:
            return 422, {"message": routes.VALIDATION_FAILED, "errors": errors}
        key = (account.login, body["loyalty_store_slug"], body["order_id"])
        existing = state.orders.get(key)
        if existing is not None:
            return 202, {"message": routes.ALREADY_PROCESSED, "id": existing}
        pongo_id = routes.ORDER_ID_PREFIX + secrets.token_hex(6)
        state.orders[key] = pongo_id
        state.order_owner[pongo_id] = account.login
        state.order_statuses[pongo_id] = [body["status"]]
        return 201, {
            "id": pongo_id,
            "order_id": body["order_id"],
            "loyalty_store_slug": body["loyalty_store_slug"],
            "amount": body["amount"],
            "status": body["status"],
            "created_at": body["created_at"],
        }


def ignored_fields(body: Any) -> list[str]:
    """The top-level fields of a body that the reference does not list (Pongo drops them)."""
    return sorted(k for k in body if k not in KNOWN) if isinstance(body, dict) else []


@authorized(routes.CREATE_ORDER)
def orders(account: Account, token: AccessToken) -> Response:
    """Receive an order, honouring an Idempotency-Key header when one is sent."""
    state = sandbox_state()
    body = request.get_json(silent=True)
    idempotency_key = request.headers.get("Idempotency-Key") or None
    with state.lock:
        honoured = idempotency_key if state.honour_idempotency_key else None
        remembered = state.idempotent.get((account.login, honoured)) if honoured else None
        if remembered is not None:
            status, answer = remembered
        else:
            status, answer = create_order(account, body)
            if honoured:
                state.idempotent[(account.login, honoured)] = (status, answer)
        state.record_order(
            login=account.login,
            body=body,
            status=status,
            response=answer,
            idempotency_key=idempotency_key,
            ignored=ignored_fields(body),
        )
    return json_answer(answer, status)


def status_errors(body: Any) -> dict[str, list[str]]:
    """Check a status update: a status, from the fixture's status values when it lists them."""
    if not isinstance(body, dict):
        return {"body": ["The request body must be a JSON object."]}
    param = next(p for p in PARAMS if p.name == "status")
    allowed: dict[str, list[str] | None] = current_app.config["SANDBOX_ORDER_ENUMS"]
    message = _param_error(param, body, allowed.get("status"))
    return {"status": [message]} if message else {}


@authorized(routes.UPDATE_ORDER_STATUS)
def update_status(account: Account, token: AccessToken, order_id: str) -> Response:
    """Change the status of an order Pongo already has (cancelled, refunded...) [I]."""
    state = sandbox_state()
    body = request.get_json(silent=True)
    errors = status_errors(body)
    answer: JSONDict
    with state.lock:
        if state.order_owner.get(order_id) != account.login:
            status, answer = 404, {"message": routes.ORDER_NOT_FOUND}
        elif errors or not isinstance(body, dict):
            status, answer = 422, {"message": routes.VALIDATION_FAILED, "errors": errors}
        else:
            history = state.order_statuses[order_id]
            # The same status twice is one change.
            if history[-1] != body["status"]:
                history.append(body["status"])
            status, answer = 200, {"id": order_id, "status": body["status"]}
        state.status_log.append(
            {
                "account": account.login,
                "id": order_id,
                "body": body,
                "status": status,
                "response": answer,
                "received_at": state.received_at(),
            }
        )
    return json_answer(answer, status)
