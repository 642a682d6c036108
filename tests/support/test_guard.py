"""SEC-24: a view as a merchant is read-only; Pongo connection endpoints are always refused."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from portal.access import API
from portal.support import guard
from tests.helpers.launch import launch
from tests.helpers.pages import csrf_token
from tests.helpers.routes import (
    PERMITTED_WHILE_VIEWING,
    write_routes,
)
from tests.helpers.staff import events


def test_permitted_writes_are_exactly_the_reviewed_list() -> None:
    assert guard.PERMITTED_WHILE_VIEWING == PERMITTED_WHILE_VIEWING


def test_every_write_route_has_a_policy_and_is_classified(guarded: Flask) -> None:
    """A new write route without a policy, or a new permitted one, fails here."""
    routes = write_routes(guarded)
    assert routes
    unclassified = [r for r in routes if r[2] is None]
    assert unclassified == []
    permitted = {endpoint for endpoint, *_ in routes if endpoint in guard.PERMITTED_WHILE_VIEWING}
    assert permitted <= PERMITTED_WHILE_VIEWING


def test_every_write_route_is_refused_in_a_read_only_view(viewer: FlaskClient) -> None:
    agent, app = viewer, viewer.application
    token = csrf_token(agent, "/")
    checked = []
    for endpoint, method, policy, url in write_routes(app):
        if endpoint in PERMITTED_WHILE_VIEWING or policy == API:
            continue
        response = agent.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 403, (endpoint, method)
        assert "Read-only support view" in response.get_data(as_text=True) or (
            "never allowed" in response.get_data(as_text=True)
        )
        checked.append(endpoint)
    assert "dummy_write" in checked
    assert "support.login" in checked
    with agent.session_transaction() as session:
        assert session["view_as"]["mode"] == "read"  # the view is still open
    assert events(app, "stores.refresh") == []
    refused = events(app, "support.action.refused")
    assert {e.details["endpoint"] for e in refused} >= {"dummy_write", "support.login"}
    dummy = next(e for e in refused if e.details["endpoint"] == "dummy_write")
    assert dummy.impersonator is not None
    assert dummy.merchant_id is not None
    assert dummy.request_id


def test_permitted_writes_still_work_in_a_read_only_view(viewer: FlaskClient) -> None:
    agent = viewer
    token = csrf_token(agent, "/")
    language = agent.post(
        "/language", data={"locale": "fr", "csrf_token": token, "unsafe_next": "/"}
    )
    assert language.status_code == 302
    french = agent.get("/").get_data(as_text=True)
    assert 'lang="fr"' in french
    assert "banner-support" in french
    assert agent.post("/support/view/end", data={"csrf_token": token}).status_code == 302


def test_write_mode_allows_merchant_writes_and_audits_them(writer: FlaskClient) -> None:
    admin, app = writer, writer.application
    token = csrf_token(admin, "/")
    response = admin.post("/dummy-write", data={"csrf_token": token})
    assert response.status_code == 200
    assert len(events(app, "stores.refresh")) == 1
    action = events(app, "support.action")
    assert [e.details["endpoint"] for e in action] == ["dummy_write"]
    assert action[0].impersonator is not None


def test_connection_endpoints_are_refused_even_in_write_mode(writer: FlaskClient) -> None:
    admin, app = writer, writer.application
    token = csrf_token(admin, "/")
    assert admin.post("/connect/start", data={"csrf_token": token}).status_code == 403
    assert admin.get("/connect/callback?code=x&state=y").status_code == 403
    assert admin.post("/connect/disconnect", data={"csrf_token": token}).status_code == 403
    refused = events(app, "support.action.refused")
    assert {e.details["endpoint"] for e in refused} == {
        "connect.start",
        "connect.callback",
        "connect.disconnect",
    }


def test_marked_endpoint_is_refused_in_write_mode_and_open_to_the_merchant(
    guarded: Flask, writer: FlaskClient
) -> None:
    merchant = guarded.test_client()
    launch(merchant)
    assert merchant.get("/secret").get_data(as_text=True) == "the secret"
    response = writer.get("/secret")
    assert response.status_code == 403
    assert "the secret" not in response.get_data(as_text=True)


def test_refusal_page_keeps_the_banner_so_the_view_can_be_ended(viewer: FlaskClient) -> None:
    agent = viewer
    token = csrf_token(agent, "/")
    body = agent.post("/dummy-write", data={"csrf_token": token}).get_data(as_text=True)
    assert "Read-only support view: this action is not allowed." in body
    assert 'action="/support/view/end"' in body
