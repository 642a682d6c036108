"""Access policies: every endpoint is public, merchant-only, staff-only or API-key-only.

An endpoint without a policy is refused, so a new route cannot be reachable by accident.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Flask, abort, current_app, g, request, session

from portal.extensions import db
from portal.models.merchant import Merchant
from portal.security_log import security_event

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC, MERCHANT, STAFF, API = "public", "merchant", "staff", "api"
_ATTR = "_access_policy"


def _mark(policy: str) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        setattr(view, _ATTR, policy)
        return view

    return decorate


public = _mark(PUBLIC)
merchant_required = _mark(MERCHANT)
staff_required = _mark(STAFF)
api_key_required = _mark(API)


def never_while_viewing_as(view: F) -> F:
    """Mark a view that support staff may never use while viewing a merchant's portal."""
    setattr(view, "_never_while_viewing_as", True)  # noqa: B010  # a marker read by the guard
    return view


def blueprint_policy(bp: Blueprint, policy: str) -> None:
    """Give every endpoint of a blueprint the same policy unless a view says otherwise."""
    bp.access_policy = policy  # type: ignore[attr-defined]


def policy_of(endpoint: str | None) -> str | None:
    """The access policy of an endpoint, or None when it has none."""
    if endpoint is None:
        return None
    if endpoint == "static":
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    marked = getattr(view, _ATTR, None)
    if marked:
        return str(marked)
    blueprint = current_app.blueprints.get(endpoint.rpartition(".")[0])
    return getattr(blueprint, "access_policy", None)


def enforce_access() -> None:
    """Before each request: apply the endpoint's policy, refuse endpoints without one."""
    if request.endpoint is None:  # 404 and 405 are answered by routing
        return
    policy = policy_of(request.endpoint)
    if policy is None:
        security_event("authz", "denied", reason="endpoint without policy", path=request.path)
        abort(403)
    if policy == MERCHANT:
        load_merchant()
    elif policy == STAFF and not session.get("staff_id"):
        abort(401)


def load_merchant() -> Merchant:
    """The merchant of this session, or 401 when there is none."""
    merchant_id = session.get("merchant_id")
    merchant = db.session.get(Merchant, merchant_id) if merchant_id else None
    if merchant is None:
        abort(401)
    g.merchant = merchant
    g.user = session.get("user", {})
    return merchant


def current_merchant() -> Merchant:
    """The merchant whose portal this request shows."""
    merchant: Merchant = g.merchant
    return merchant


def init_app(app: Flask) -> None:
    """Install the policy check in front of every view."""
    app.before_request(enforce_access)
