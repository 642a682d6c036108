"""The Pongo sandbox: a local emulator of Pongo's API, served as its own WSGI app.

The fixture format is described in portal.sandbox.state; every emulated path,
scope and shape is listed in portal.sandbox.routes.
"""

from __future__ import annotations

import pathlib
import secrets
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.http import HTTP_STATUS_CODES

from portal.sandbox import api, oauth, orders, routes
from portal.sandbox.controls import bp as controls_bp
from portal.sandbox.fixture_checks import JSONDict, load_fixture
from portal.sandbox.state import SandboxState

__all__ = ["DEMO_FIXTURE", "create_sandbox_app", "demo_client_secrets"]

DEMO_FIXTURE = pathlib.Path(__file__).parent / "fixtures" / "demo.json"


def demo_client_secrets() -> dict[str, str]:
    """The demo fixture's client secrets by client id: published, so never valid in production."""
    clients = load_fixture(DEMO_FIXTURE)["clients"]
    return {str(c["client_id"]): str(c["client_secret"]) for c in clients}


# The hosted form's pages, seen in a person's browser rather than called by the portal.
BROWSER_PAGES = frozenset(
    {routes.OAUTH_FORM.endpoint, routes.OAUTH_SIGN_IN.endpoint, routes.OAUTH_DECISION.endpoint}
)

_VIEWS: dict[str, Callable[..., Any]] = {
    routes.OAUTH_FORM.endpoint: oauth.oauth_form,
    routes.OAUTH_SIGN_IN.endpoint: oauth.oauth_sign_in,
    routes.OAUTH_DECISION.endpoint: oauth.oauth_decision,
    routes.TOKEN.endpoint: oauth.token,
    routes.ME.endpoint: api.me,
    routes.TEST_TOKEN.endpoint: api.test_token,
    routes.STORES.endpoint: api.stores,
    routes.REWARDS.endpoint: api.rewards,
    routes.CREATE_ORDER.endpoint: orders.orders,
    routes.UPDATE_ORDER_STATUS.endpoint: orders.update_status,
}


def create_sandbox_app(
    fixture: JSONDict | str | pathlib.Path,
    *,
    controls: bool = False,
    issuer_url: str | None = None,
    clock: Callable[[], float] = time.time,
) -> Flask:
    """Build a sandbox serving the fixture's clients and accounts."""
    data = load_fixture(fixture)
    app = Flask(__name__)
    app.config["SECRET_KEY"] = secrets.token_hex(32)
    app.config["SANDBOX_ISSUER"] = issuer_url
    app.config["SANDBOX_ORDER_ENUMS"] = {
        name: data.get("order_enums", {}).get(name) for name in orders.ENUM_FIELDS
    }
    state = SandboxState(data, clock)
    app.extensions["pongo_sandbox"] = state

    for route in routes.API_ROUTES:
        app.add_url_rule(route.path, route.endpoint, _VIEWS[route.endpoint], methods=[route.method])
    if controls:
        app.register_blueprint(controls_bp)

    app.before_request(_apply_fault)
    app.after_request(_log_request)
    app.register_error_handler(HTTPException, _http_error)
    return app


def _is_control(path: str) -> bool:
    return path == routes.CONTROLS_PREFIX or path.startswith(routes.CONTROLS_PREFIX + "/")


def _apply_fault() -> Response | None:
    """Play a scripted fault: wait, then answer with its status or carry on."""
    if _is_control(request.path):
        return None
    state = oauth.sandbox_state()
    fault = state.take_fault(request.method, request.path)
    if fault is None:
        return None
    request.environ["pongo_sandbox.fault"] = True
    if fault.delay_ms:
        time.sleep(fault.delay_ms / 1000)
    if fault.status is None:
        return None
    if fault.body is None and request.endpoint in BROWSER_PAGES:
        # A person's browser shows the hosted form's pages: answer with a page, not JSON.
        message = HTTP_STATUS_CODES.get(fault.status, "Error")
        page = render_template("error.html", message=f"Pongo answered: {message}.")
        return Response(page, fault.status, headers=fault.headers, mimetype="text/html")
    body = (
        fault.body
        if fault.body is not None
        else {"message": HTTP_STATUS_CODES.get(fault.status, "Error")}
    )
    response = jsonify(body)
    response.status_code = fault.status
    response.headers.update(fault.headers)
    return response


def _log_request(response: Response) -> Response:
    if not _is_control(request.path):
        oauth.sandbox_state().log_request(
            {
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "idempotency_key": request.headers.get("Idempotency-Key"),
                "fault": bool(request.environ.get("pongo_sandbox.fault")),
            }
        )
    return response


def _http_error(error: HTTPException) -> Response:
    """Answer unknown paths and methods with JSON, as a Laravel API would."""
    if isinstance(error, MethodNotAllowed):
        message = f"The {request.method} method is not supported for route {request.path}."
    elif error.code == 404:
        message = f"The route {request.path.lstrip('/')} could not be found."
    else:
        message = error.description or "Error"
    response = jsonify({"message": message})
    response.status_code = error.code or 500
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response
