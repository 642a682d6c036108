"""SEC-20: no GET changes any table content; every form route refuses a wrong CSRF token.

Routes come from `app.url_map` (arguments filled with real identifiers), so new routes are
covered; the database is compared row by row and column by column.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.access import API, STAFF, policy_of
from tests.helpers.api import new_key
from tests.helpers.launch import launch
from tests.helpers.orders import OrdersApi, fake_connection, order_body
from tests.helpers.pages import csrf_token
from tests.helpers.staff import add_staff, sign_in, start_view
from tests.security.snapshot import changes, snapshot

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Checks its token itself (see test_ending_a_view_refuses_a_wrong_token).
SELF_CHECKED = {"support.end_view"}
ORDER = "POS-1001"


def _prepared(app: Flask) -> tuple[FlaskClient, OrdersApi]:
    """M1 signed in, marked connected, with locations and an order; and an API client."""
    client = app.test_client()
    assert launch(client).status_code == 302
    fake_connection(app, "M1", "Boulangerie Lumière")
    api = OrdersApi(app.test_client(), new_key(app))
    locations = [{"ref": "L1", "name": "Paris 11"}, {"ref": "L2", "name": "Lyon 2"}]
    assert api.put("/merchants/M1/locations", {"locations": locations}).status_code == 200
    api.order(order_body(ORDER))
    return client, api


def _path(rule: Any) -> str:
    values = {a: ORDER if a == "order_ref" else "M1" for a in rule.arguments}
    return str(rule.build(values)[1])


def _rules(app: Flask, methods: set[str]) -> list[tuple[Any, str | None]]:
    """Each rule answering one of these methods, with its access policy."""
    with app.test_request_context():
        return [
            (r, policy_of(r.endpoint))
            for r in app.url_map.iter_rules()
            if (r.methods or set()) & methods and r.endpoint != "static"
        ]


def test_no_get_changes_any_table_content(app: Flask) -> None:
    client, api = _prepared(app)
    add_staff(app, "alex@pos.example")
    staff = app.test_client()
    assert sign_in(staff, "alex@pos.example").status_code == 302
    for who in (client, staff):  # the first GETs render CSRF tokens into the sessions
        who.get("/")
    rules = _rules(app, {"GET"})
    assert any(r.arguments for r, _policy in rules)
    before = snapshot(app)
    walked = []
    for rule, policy in rules:
        path = _path(rule)
        if policy == API:
            api.get(path.removeprefix("/api/v1"))
        elif policy == STAFF:
            staff.get(path, query_string={"q": "M1"})
        else:
            client.get(path, query_string={"token": "garbage", "state": "x", "code": "y"})
        walked.append(path)
        assert changes(before, snapshot(app)) == {}, f"GET {path} changed the database"
    assert f"/orders/{ORDER}" in walked
    assert "/api/v1/merchants/M1/locations" in walked
    assert "/support/merchants/M1" in walked


@pytest.mark.parametrize("token", ["wrong", "other-session", ""])
def test_every_form_route_refuses_a_wrong_csrf_token(app: Flask, token: str) -> None:
    client, _api = _prepared(app)
    if token == "other-session":
        other = app.test_client()
        launch(other, merchant_ref="M9")
        token = csrf_token(other, "/locations")
    csrf_token(client, "/locations")
    before = snapshot(app)
    checked = []
    for rule, policy in _rules(app, WRITE_METHODS):
        if policy == API or rule.endpoint in SELF_CHECKED:
            continue
        path = _path(rule)
        for method in sorted((rule.methods or set()) & WRITE_METHODS):
            answer = client.open(path, method=method, data={"csrf_token": token, "ref": "L1"})
            assert answer.status_code == 400, f"{method} {path} answered {answer.status_code}"
            checked.append(rule.endpoint)
    assert {"connect.disconnect", "locations.save", "orders.retry", "support.start_view"} <= set(
        checked
    )
    assert {k: v for k, v in changes(before, snapshot(app)).items() if k != "web_sessions"} == {}


def test_ending_a_view_refuses_a_wrong_token(app: Flask) -> None:
    add_staff(app, "alex@pos.example")
    launch(app.test_client())
    staff = app.test_client()
    assert sign_in(staff, "alex@pos.example").status_code == 302
    assert start_view(staff).status_code == 302
    csrf_token(staff, "/")
    before = snapshot(app)
    assert staff.post("/support/view/end", data={"csrf_token": "wrong"}).status_code == 400
    assert changes(before, snapshot(app)) == {}
    assert "alex@pos.example" in staff.get("/").get_data(as_text=True)  # still viewing
