"""The sandbox's Pongo API endpoints: identity, stores and rewards (orders: sandbox.orders)."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec
from urllib.parse import urlencode

from flask import Response, jsonify, request

from portal.sandbox import routes
from portal.sandbox.fixture_checks import JSONDict
from portal.sandbox.oauth import jwt_id, sandbox_state
from portal.sandbox.state import AccessToken, Account


def json_answer(body: Any, status: int = 200) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


def authorize(scope: str | None) -> tuple[Account, AccessToken] | Response:
    """Check the Bearer token and the scope, the way a Laravel Passport API answers."""
    state = sandbox_state()
    header = request.headers.get("Authorization", "")
    kind, _, value = header.partition(" ")
    jti = jwt_id(state.signing_key, value.strip()) if kind.lower() == "bearer" else None
    record = state.live_access_token(jti) if jti else None
    if record is None:
        return json_answer({"message": routes.UNAUTHENTICATED}, 401)
    if scope is not None and scope not in record.scopes:
        return json_answer({"message": routes.MISSING_SCOPE}, 403)
    return state.accounts[record.login], record


P = ParamSpec("P")
# A view answered for a valid token: it gets the token's account and record first.
TokenView = Callable[Concatenate[Account, AccessToken, P], Response]


def authorized(route: routes.Route) -> Callable[[TokenView[P]], Callable[P, Response]]:
    """Serve `route` only to a valid Bearer token holding the route's scope."""

    def decorate(view: TokenView[P]) -> Callable[P, Response]:
        @functools.wraps(view)
        def checked(*args: P.args, **kwargs: P.kwargs) -> Response:
            auth = authorize(route.scope)
            if isinstance(auth, Response):
                return auth
            return view(*auth, *args, **kwargs)

        return checked

    return decorate


def _validation_error(errors: dict[str, list[str]]) -> Response:
    return json_answer({"message": routes.VALIDATION_FAILED, "errors": errors}, 422)


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

    return json_answer(
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


@authorized(routes.ME)
def me(account: Account, token: AccessToken) -> Response:
    """Who the token belongs to."""
    return json_answer(
        {
            "id": account.id,
            "name": account.name,
            "email": account.email,
            "login": account.login,
            "scopes": list(token.scopes),
        }
    )


@authorized(routes.TEST_TOKEN)
def test_token(account: Account, token: AccessToken) -> Response:
    """Say whether the Bearer token is valid ("Test the token")."""
    return json_answer({"message": routes.VALID_BEARER})


@authorized(routes.STORES)
def stores(account: Account, token: AccessToken) -> Response:
    """The stores of the token's account."""
    with sandbox_state().lock:
        items = list(account.stores)
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


def slugs(stores: list[JSONDict]) -> set[str]:
    """The slugs of the stores; a test may have given some stores odd or no slugs."""
    return {s["slug"] for s in stores if isinstance(s.get("slug"), str)}


@authorized(routes.REWARDS)
def rewards(account: Account, token: AccessToken) -> Response:
    """The rewards of the token's account, filtered for a store or a customer."""
    store_slug = request.args.get("store_slug") or None
    customer = request.args.get("customer") or None
    errors: dict[str, list[str]] = {}
    min_points = _points_filter("min_points", errors)
    max_points = _points_filter("max_points", errors)
    with sandbox_state().lock:
        items = list(account.rewards)
        known = slugs(account.stores)
    if store_slug is not None and store_slug not in known:
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
