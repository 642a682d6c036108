"""The sandbox's Pongo API endpoints: identity, stores, rewards and orders."""

from __future__ import annotations

import math
import secrets
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, jsonify, request

from portal.sandbox import routes
from portal.sandbox.oauth import jwt_id, sandbox_state
from portal.sandbox.state import AccessToken, Account, JSONDict

ORDER_ENUM_FIELDS = ("channel", "delivery_mode", "status", "delivery_status")


def _json(body: Any, status: int = 200) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


def _authorize(scope: str | None) -> tuple[Account, AccessToken] | Response:
    """Check the Bearer token and the scope, the way a Laravel Passport API answers."""
    state = sandbox_state()
    header = request.headers.get("Authorization", "")
    kind, _, value = header.partition(" ")
    jti = jwt_id(state.signing_key, value.strip()) if kind.lower() == "bearer" else None
    record = state.live_access_token(jti) if jti else None
    if record is None:
        return _json({"message": routes.UNAUTHENTICATED}, 401)
    if scope is not None and scope not in record.scopes:
        return _json({"message": routes.MISSING_SCOPE}, 403)
    return state.accounts[record.login], record


def _validation_error(errors: dict[str, list[str]]) -> Response:
    return _json({"message": routes.VALIDATION_FAILED, "errors": errors}, 422)


def _positive_int(name: str, default: int) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value >= 1 else None


def _paginate(items: list[JSONDict]) -> Response:
    """Answer one page of a list, with Laravel-style meta and links."""
    page = _positive_int("page", 1)
    per_page = _positive_int("per_page", routes.DEFAULT_PER_PAGE)
    errors: dict[str, list[str]] = {}
    if page is None:
        errors["page"] = ["The page must be an integer of at least 1."]
    if per_page is None or per_page > routes.MAX_PER_PAGE:
        errors["per_page"] = [f"The per page must be between 1 and {routes.MAX_PER_PAGE}."]
    if page is None or per_page is None or errors:
        return _validation_error(errors)
    total = len(items)
    last_page = max(1, math.ceil(total / per_page))
    chunk = items[(page - 1) * per_page : page * per_page]

    def link(number: int) -> str:
        query = {k: v for k, v in request.args.items() if k != "page"}
        query["page"] = str(number)
        return f"{request.base_url}?{urlencode(query)}"

    return _json(
        {
            "data": chunk,
            "links": {
                "first": link(1),
                "last": link(last_page),
                "prev": link(page - 1) if page > 1 else None,
                "next": link(page + 1) if page < last_page else None,
            },
            "meta": {
                "current_page": page,
                "from": (page - 1) * per_page + 1 if chunk else None,
                "last_page": last_page,
                "path": request.base_url,
                "per_page": per_page,
                "to": (page - 1) * per_page + len(chunk) if chunk else None,
                "total": total,
            },
        }
    )


def me() -> Response:
    """Who the token belongs to."""
    auth = _authorize(routes.ME.scope)
    if isinstance(auth, Response):
        return auth
    account, token = auth
    return _json(
        {
            "id": account.id,
            "name": account.name,
            "email": account.email,
            "login": account.login,
            "scopes": list(token.scopes),
        }
    )


def stores() -> Response:
    """The stores of the token's account."""
    auth = _authorize(routes.STORES.scope)
    if isinstance(auth, Response):
        return auth
    with sandbox_state().lock:
        items = list(auth[0].stores)
    return _paginate(items)


def _points_filter(name: str, errors: dict[str, list[str]]) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        errors[name] = [f"The {name.replace('_', ' ')} must be an integer."]
        return None


def _slugs(stores: list[JSONDict]) -> set[str]:
    """The slugs of the stores; a test may have given some stores odd or no slugs."""
    return {s["slug"] for s in stores if isinstance(s.get("slug"), str)}


def rewards() -> Response:
    """The rewards of the token's account, filtered for a store or a customer."""
    auth = _authorize(routes.REWARDS.scope)
    if isinstance(auth, Response):
        return auth
    account = auth[0]
    store_slug = request.args.get("store_slug") or None
    customer = request.args.get("customer") or None
    errors: dict[str, list[str]] = {}
    min_points = _points_filter("min_points", errors)
    max_points = _points_filter("max_points", errors)
    with sandbox_state().lock:
        items = list(account.rewards)
        slugs = _slugs(account.stores)
    if store_slug is not None and store_slug not in slugs:
        errors["store_slug"] = ["The selected store slug is invalid."]
    if errors:
        return _validation_error(errors)

    def offered(reward: JSONDict) -> bool:
        only_stores = reward.get(routes.REWARD_STORE_RESTRICTION)
        only_customers = reward.get(routes.REWARD_CUSTOMER_RESTRICTION)
        points = reward.get("points")
        if store_slug and isinstance(only_stores, list) and store_slug not in only_stores:
            return False
        if customer and isinstance(only_customers, list) and customer not in only_customers:
            return False
        if isinstance(points, int) and min_points is not None and points < min_points:
            return False
        return not (isinstance(points, int) and max_points is not None and points > max_points)

    return _paginate([r for r in items if offered(r)])


def _is_iso_datetime(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _order_errors(body: Any, account: Account) -> dict[str, list[str]]:
    """Check an order the way Pongo's Laravel validation probably does [I]."""
    if not isinstance(body, dict):
        return {"body": ["The request body must be a JSON object."]}
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    label = {"order_id": "order id", "loyalty_store_slug": "loyalty store slug"}
    for name in ("order_id", "loyalty_store_slug"):
        value = body.get(name)
        if value is None or value == "":
            add(name, f"The {label[name]} field is required.")
        elif not isinstance(value, str):
            add(name, f"The {label[name]} must be a string.")
    slug = body.get("loyalty_store_slug")
    if isinstance(slug, str) and slug and slug not in _slugs(account.stores):
        add("loyalty_store_slug", "The selected loyalty store slug is invalid.")

    amount = body.get("amount")
    if amount is None:
        add("amount", "The amount field is required.")
    elif isinstance(amount, bool) or not isinstance(amount, int):
        add("amount", "The amount must be an integer.")
    tax = body.get("tax_amount")
    if tax is not None and (isinstance(tax, bool) or not isinstance(tax, int)):
        add("tax_amount", "The tax amount must be an integer.")

    created_at = body.get("created_at")
    if created_at is None:
        add("created_at", "The created at field is required.")
    elif not _is_iso_datetime(created_at):
        add("created_at", "The created at is not a valid date.")

    lines = body.get("lines")
    if not isinstance(lines, list) or not lines:
        add("lines", "The lines must have at least 1 items.")
    else:
        for i, line in enumerate(lines):
            if not isinstance(line, dict):
                add(f"lines.{i}", f"The lines.{i} must be an object.")

    allowed: dict[str, list[str] | None] = current_app.config["SANDBOX_ORDER_ENUMS"]
    for name in ORDER_ENUM_FIELDS:
        value = body.get(name)
        human = name.replace("_", " ")
        if value is None or value == "":
            add(name, f"The {human} field is required.")
        elif not isinstance(value, str):
            add(name, f"The {human} must be a string.")
        elif allowed.get(name) is not None and value not in (allowed[name] or []):
            add(name, f"The selected {human} is invalid.")

    reward_ids = body.get("reward_ids")
    if reward_ids is not None and (
        not isinstance(reward_ids, list) or not all(isinstance(r, str) for r in reward_ids)
    ):
        add("reward_ids", "The reward ids must be a list of strings.")
    for name in ("customer_phone", "customer_public_id", "partner_order_id"):
        if body.get(name) is not None and not isinstance(body[name], str):
            add(name, f"The {name.replace('_', ' ')} must be a string.")
    return errors


def create_order(account: Account, body: Any) -> tuple[int, JSONDict]:
    """Validate and record an order; a repeated order_id for the same store gets 202 [C]."""
    state = sandbox_state()
    with state.lock:
        errors = _order_errors(body, account)
        if errors:
            return 422, {"message": routes.VALIDATION_FAILED, "errors": errors}
        key = (account.login, body["loyalty_store_slug"], body["order_id"])
        existing = state.orders.get(key)
        if existing is not None:
            return 202, {"message": routes.ALREADY_PROCESSED, "id": existing}
        pongo_id = routes.ORDER_ID_PREFIX + secrets.token_hex(6)
        state.orders[key] = pongo_id
        return 201, {
            "id": pongo_id,
            "order_id": body["order_id"],
            "loyalty_store_slug": body["loyalty_store_slug"],
            "amount": body["amount"],
            "status": body["status"],
            "created_at": body["created_at"],
        }


def orders() -> Response:
    """Receive an order, honouring an Idempotency-Key header when one is sent."""
    auth = _authorize(routes.CREATE_ORDER.scope)
    if isinstance(auth, Response):
        return auth
    account = auth[0]
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
        )
    return _json(answer, status)
