"""SEC-24: a view as a merchant is read-only; Pongo connection endpoints are always refused."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask, url_for
from flask.testing import FlaskClient

from portal.access import API, MERCHANT, merchant_required, never_while_viewing_as, policy_of
from portal.audit.services import record
from portal.support import guard
from tests.conftest import launch
from tests.support.conftest import ADMIN, events, page_csrf, sign_in, start_view

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# Every write a support agent may make while viewing as a merchant, in read mode too. They only
# change the support session itself. Adding to this list is a security decision: review it.
PERMITTED_WHILE_VIEWING = {
    "support.end_view",
    "support.switch_to_write",
    "support.verify_factor",  # the fresh second-factor check before write mode
    "support.start_view",
    "support.logout",
    "entry.logout",
    "i18n.switch_language",
}


def merchant_get_rules(app: Flask) -> list[str]:
    """Paths of every merchant page that takes no argument."""
    with app.test_request_context():
        return sorted(
            r.rule
            for r in app.url_map.iter_rules()
            if "GET" in (r.methods or set())
            and policy_of(r.endpoint) == MERCHANT
            and not r.arguments
        )


def write_routes(app: Flask) -> list[tuple[str, str, str | None, str]]:
    """(endpoint, method, policy, url) for every write route of the app."""
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            for method in sorted((rule.methods or set()) & WRITE_METHODS):
                url = url_for(rule.endpoint, **dict.fromkeys(rule.arguments, "1"))
                routes.append((rule.endpoint, method, policy_of(rule.endpoint), url))
    return routes


def _add_dummy_write(app: Flask) -> None:
    """A merchant write route added after the guard was written, as a new feature would."""

    @merchant_required
    def dummy_write() -> str:
        from portal.access import current_merchant
        from portal.audit.actor import actor_from_request

        # Any registered action stands in for the new feature's own.
        record("stores.refresh", actor=actor_from_request(), merchant=current_merchant())
        return "written"

    app.add_url_rule("/dummy-write", "dummy_write", dummy_write, methods=["POST"])


def _add_connection_endpoints(app: Flask) -> None:
    """Stand-ins for the Pongo connection views when they are not on this branch."""
    if "connect.start" in app.view_functions:
        return
    bp = Blueprint("connect", __name__, url_prefix="/connect")

    def stand_in() -> str:
        return "connected"

    for name in ("start", "callback", "disconnect"):
        bp.add_url_rule(f"/{name}", name, merchant_required(stand_in), methods=["GET", "POST"])
    app.register_blueprint(bp)


def _add_secret(app: Flask) -> None:
    """A merchant page marked as never shown to support (like a page showing a secret)."""

    @merchant_required
    @never_while_viewing_as
    def show_secret() -> str:
        return "the secret"

    app.add_url_rule("/secret", "secret", show_secret, methods=["GET", "POST"])


@pytest.fixture
def guarded(staffed: Flask) -> Flask:
    """The staffed app plus routes added the way new features would add them."""
    _add_dummy_write(staffed)
    _add_connection_endpoints(staffed)
    _add_secret(staffed)
    return staffed


@pytest.fixture
def viewer(guarded: Flask) -> FlaskClient:
    """A support agent viewing merchant M1, read-only."""
    client = guarded.test_client()
    sign_in(client)
    start_view(client)
    return client


@pytest.fixture
def writer(guarded: Flask) -> FlaskClient:
    """A support admin viewing merchant M1 in write mode."""
    client = guarded.test_client()
    sign_in(client, ADMIN)
    start_view(client)
    token = page_csrf(client, "/support/view/write")
    client.post("/support/view/write", data={"reason": "Asked by owner", "csrf_token": token})
    return client


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
    token = page_csrf(agent, "/")
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
    token = page_csrf(agent, "/")
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
    token = page_csrf(admin, "/")
    response = admin.post("/dummy-write", data={"csrf_token": token})
    assert response.status_code == 200
    assert len(events(app, "stores.refresh")) == 1
    action = events(app, "support.action")
    assert [e.details["endpoint"] for e in action] == ["dummy_write"]
    assert action[0].impersonator is not None


def test_connection_endpoints_are_refused_even_in_write_mode(writer: FlaskClient) -> None:
    admin, app = writer, writer.application
    token = page_csrf(admin, "/")
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
    token = page_csrf(agent, "/")
    body = agent.post("/dummy-write", data={"csrf_token": token}).get_data(as_text=True)
    assert "Read-only support view: this action is not allowed." in body
    assert 'action="/support/view/end"' in body
