"""Test controls under /_sandbox/: reshape accounts, read orders, expire tokens, add faults."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, request

from portal.sandbox import routes
from portal.sandbox.fixture_checks import FixtureError, check_rewards, check_stores
from portal.sandbox.oauth import sandbox_state
from portal.sandbox.state import Fault

bp = Blueprint("sandbox_controls", __name__, url_prefix=routes.CONTROLS_PREFIX)


def _json(body: Any, status: int = 200) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _unknown_login(login: str) -> Response:
    return _json({"message": f"No account with login {login!r}."}, 404)


def _objects(items: Any, where: str) -> list[Any]:
    """The least a list must be for the sandbox to serve it: objects, whatever their fields."""
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise FixtureError(f"{where} must be a list of objects")
    return items


def _replace(login: str, field: str, check: Callable[[Any], list[Any]]) -> Response:
    """Replace one list (stores or rewards) of an account with the body's, checked first.

    With "unchecked": true the items are served as given (ids of any type, missing or too
    long fields), so that a client can be tested against any answer Pongo might send.
    """
    state = sandbox_state()
    body = _body()
    try:
        items = (
            _objects(body.get(field), field) if body.get("unchecked") else check(body.get(field))
        )
    except FixtureError as exc:
        return _json({"message": str(exc)}, 422)
    with state.lock:
        account = state.accounts.get(login)
        if account is None:
            return _unknown_login(login)
        setattr(account, field, items)
    return _json({field: len(items)})


@bp.put("/accounts/<login>/stores")
def replace_stores(login: str) -> Response:
    """Replace an account's stores (checked, or as given with "unchecked": true)."""
    return _replace(login, "stores", check_stores)


@bp.put("/accounts/<login>/rewards")
def replace_rewards(login: str) -> Response:
    """Replace an account's rewards (checked, or as given with "unchecked": true)."""
    return _replace(login, "rewards", check_rewards)


@bp.get("/orders")
def list_orders() -> Response:
    """Every order request received, with the answer it got."""
    state = sandbox_state()
    with state.lock:
        return _json(list(state.order_log))


@bp.get("/status-updates")
def list_status_updates() -> Response:
    """Every status update received, with the answer it got and each order's statuses."""
    state = sandbox_state()
    with state.lock:
        return _json({"updates": list(state.status_log), "statuses": dict(state.order_statuses)})


@bp.get("/requests")
def list_requests() -> Response:
    """Every API request received (method, path, status), for counting retries."""
    state = sandbox_state()
    with state.lock:
        return _json(list(state.request_log))


def _tokens_action(action: str) -> Response:
    state = sandbox_state()
    login = _body().get("login")
    if not isinstance(login, str) or login not in state.accounts:
        return _unknown_login(str(login))
    count = state.expire_tokens(login) if action == "expire" else state.revoke_tokens(login)
    return _json({action + "d": count})


@bp.post("/tokens/expire")
def expire_tokens() -> Response:
    """Make every access token of an account expire now."""
    return _tokens_action("expire")


@bp.post("/tokens/revoke")
def revoke_tokens() -> Response:
    """Revoke every access and refresh token of an account."""
    return _tokens_action("revoke")


@bp.post("/faults")
def add_fault() -> Response:
    """Make the next matching requests fail or slow down."""
    body = _body()
    path, method, status = body.get("path"), body.get("method"), body.get("status")
    delay_ms, count = body.get("delay_ms", 0), body.get("count", 1)
    headers = body.get("headers") or {}
    problems = []
    if not isinstance(path, str) or not path.startswith("/"):
        problems.append("path must start with '/'")
    if method is not None and not isinstance(method, str):
        problems.append("method must be a string")
    if status is not None and (not isinstance(status, int) or not 100 <= status <= 599):
        problems.append("status must be an HTTP status code")
    if not isinstance(delay_ms, int) or delay_ms < 0:
        problems.append("delay_ms must be a non-negative integer")
    if not isinstance(count, int) or count < 1:
        problems.append("count must be a positive integer")
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        problems.append("headers must map names to strings")
    if status is None and not delay_ms:
        problems.append("give a status, a delay_ms, or both")
    if problems:
        return _json({"message": "; ".join(problems)}, 422)
    fault = Fault(
        path=str(path),
        method=method.upper() if isinstance(method, str) else None,
        status=status,
        delay_ms=delay_ms,
        remaining=count,
        headers=dict(headers),
        body=body.get("body"),
    )
    sandbox_state().add_fault(fault)
    return _json(fault.as_json(), 201)


@bp.get("/faults")
def list_faults() -> Response:
    """The scripted faults, with how often each has fired."""
    state = sandbox_state()
    with state.lock:
        return _json([f.as_json() for f in state.faults])


@bp.delete("/faults")
def clear_faults() -> Response:
    """Stop every scripted fault, keeping tokens, orders and accounts as they are."""
    return _json({"cleared": sandbox_state().clear_faults()})


def _switch(key: str, attribute: str) -> Callable[[], Response]:
    """The view of one of the state's boolean switches: GET reads it, POST sets it.

    A POST's body holds exactly that key, true or false.
    """

    def view() -> Response:
        state = sandbox_state()
        if request.method == "POST":
            body = _body()
            value = body.get(key)
            if not isinstance(value, bool) or set(body) != {key}:
                return _json({"message": f"give {key} as true or false"}, 422)
            with state.lock:
                setattr(state, attribute, value)
        with state.lock:
            return _json({key: getattr(state, attribute)})

    return view


# With `honour_idempotency_key` false, the order_id rule is the only one.
bp.add_url_rule(
    "/settings",
    "settings",
    _switch("honour_idempotency_key", "honour_idempotency_key"),
    methods=["GET", "POST"],
)
# Whether the token endpoint offers the refresh grant Pongo does not document: tokens
# issued from then on carry a refresh token or not.
bp.add_url_rule(
    "/refresh-grant", "refresh_grant", _switch("enabled", "refresh_grant"), methods=["GET", "POST"]
)


@bp.post("/reset")
def reset() -> Response:
    """Go back to the fixture: forget tokens, orders, faults and control changes."""
    sandbox_state().reset()
    return _json({"reset": True})
