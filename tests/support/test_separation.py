"""Staff and merchant sessions never mix (SEC-18, SEC-23)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from portal.access import MERCHANT, STAFF, policy_of
from tests.helpers.launch import launch
from tests.helpers.pages import csrf_token


def _get_rules(app: Flask, policy: str) -> list[str]:
    with app.test_request_context():
        return [
            r.rule
            for r in app.url_map.iter_rules()
            if "GET" in (r.methods or set()) and policy_of(r.endpoint) == policy and not r.arguments
        ]


def test_merchant_session_never_reaches_staff_pages(staffed: Flask) -> None:
    client = staffed.test_client()
    launch(client)
    rules = [*_get_rules(staffed, STAFF), "/support/merchants/M1"]
    assert "/support/" in rules
    for rule in rules:
        assert client.get(rule).status_code == 403, rule
    token = csrf_token(client)
    start = client.post("/support/merchants/M1/view", data={"reason": "x", "csrf_token": token})
    assert start.status_code == 403
    with client.session_transaction() as session:
        assert "view_as" not in session
        assert "staff_id" not in session


def test_staff_session_without_a_view_never_reaches_merchant_pages(agent: FlaskClient) -> None:
    app = agent.application
    rules = _get_rules(app, MERCHANT)
    assert "/" in rules
    for rule in rules:
        assert agent.get(rule).status_code == 403, rule


def test_staff_pages_send_strangers_to_the_sign_in_page(staffed: Flask) -> None:
    client = staffed.test_client()
    response = client.get("/support/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/support/login")
    assert client.post("/support/view/end").status_code in (400, 401)
