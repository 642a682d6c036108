"""GET never changes data; every state-changing form route needs a CSRF token (SEC-20)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.access import API, policy_of
from portal.extensions import db
from portal.models import Base
from tests.helpers.launch import launch

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Token-free by design: the API authenticates with bearer keys; ending a support view checks
# its CSRF token itself so that a second tab holding an old token still lands on the console.
CSRF_EXEMPT = {"support.end_view"}


def row_counts(app: Flask) -> dict[str, int]:
    """Rows per table, except the sessions table (which records when a session was last used)."""
    with app.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
            if table.name != "web_sessions"
        }


def test_get_pages_change_nothing(app: Flask, client: FlaskClient) -> None:
    launch(client)
    client.get("/")
    before = row_counts(app)
    with app.test_request_context():
        rules = [
            r.rule
            for r in app.url_map.iter_rules()
            if "GET" in (r.methods or set()) and not r.arguments and policy_of(r.endpoint) != API
        ]
    assert len(rules) > 5
    for rule in rules:
        client.get(rule)
    assert row_counts(app) == before


def test_every_form_route_refuses_a_missing_csrf_token(app: Flask, client: FlaskClient) -> None:
    launch(client)
    before = row_counts(app)
    checked = []
    with app.test_request_context():
        rules = [
            r
            for r in app.url_map.iter_rules()
            if (r.methods or set()) & WRITE_METHODS
            and policy_of(r.endpoint) != API
            and r.endpoint not in CSRF_EXEMPT
        ]
    for rule in rules:
        path = rule.build(dict.fromkeys(rule.arguments, "x"))[1]
        method = sorted((rule.methods or set()) & WRITE_METHODS)[0]
        response = client.open(path, method=method, data={"anything": "1"})
        assert response.status_code == 400, f"{method} {path} answered {response.status_code}"
        checked.append(rule.endpoint)
    assert "connect.disconnect" in checked
    assert "locations.save" in checked
    assert row_counts(app) == before
