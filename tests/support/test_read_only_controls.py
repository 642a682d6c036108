"""A support view shows the writes its guard would refuse as disabled controls, by its own rule."""

from __future__ import annotations

import re

import pytest
from flask import Flask, jsonify
from flask.testing import FlaskClient
from werkzeug.wrappers import Response

from portal.access import API, merchant_required
from portal.support.guard import can_write
from tests.support import test_guard
from tests.support.conftest import ADMIN, page_csrf, sign_in, start_view
from tests.support.test_guard import PERMITTED_WHILE_VIEWING, write_routes


def _add_can_write_probe(app: Flask) -> None:
    """A merchant page that reports what templates would be told, endpoint by endpoint."""

    @merchant_required
    def probe() -> Response:
        endpoints = {endpoint for endpoint, *_ in write_routes(app)}
        return jsonify({endpoint: can_write(endpoint) for endpoint in endpoints})

    app.add_url_rule("/can-write-probe", "can_write_probe", probe)


@pytest.fixture
def guarded(staffed: Flask) -> Flask:
    """The guard tests' app (new write routes, connection stand-ins, a secret) plus the probe."""
    test_guard._add_dummy_write(staffed)
    test_guard._add_connection_endpoints(staffed)
    test_guard._add_secret(staffed)
    _add_can_write_probe(staffed)
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


def _answers(client: FlaskClient) -> dict[str, bool]:
    """For each write route: did the guard let it through (anything but its 403)?"""
    app = client.application
    token = _csrf(client)
    passed = {}
    for endpoint, method, policy, url in write_routes(app):
        if policy == API or endpoint in PERMITTED_WHILE_VIEWING:
            continue
        response = client.open(url, method=method, data={"csrf_token": token})
        body = response.get_data(as_text=True)
        refused = response.status_code == 403 and (
            "Read-only support view" in body or "never allowed" in body
        )
        passed[endpoint] = not refused
    return passed


def _csrf(client: FlaskClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True))
    assert found
    return found.group(1)


def test_can_write_says_what_the_guard_does_in_read_mode(viewer: FlaskClient) -> None:
    told = viewer.get("/can-write-probe").json
    assert told is not None
    answers = _answers(viewer)
    assert answers, "no write route checked"
    assert {e: told[e] for e in answers} == answers
    assert not any(answers.values())


def test_can_write_says_what_the_guard_does_in_write_mode(writer: FlaskClient) -> None:
    told = writer.get("/can-write-probe").json
    assert told is not None
    answers = _answers(writer)
    assert {e: told[e] for e in answers} == answers
    assert answers["dummy_write"]
    assert answers["sync.emails"]
    assert not answers["connect.start"]
    assert not answers["connect.disconnect"]


def _button(page: str, words: str) -> str:
    found = re.search(r"<button[^>]*>\s*" + re.escape(words), page)
    assert found, words
    return found.group(0)


def test_read_mode_disables_writing_controls_with_a_hint(viewer: FlaskClient) -> None:
    page = viewer.get("/connect/").get_data(as_text=True)
    for words in ("Reconnect Pongo", "Disconnect", "Turn the e-mails"):
        assert 'disabled aria-describedby="support-view-hint"' in _button(page, words)
    assert 'id="support-view-hint"' in page
    assert "Read-only view" in page
    assert "banner-support-read" in page
    end = _button(page, "End")  # the banner's own button only changes the support session
    assert "disabled" not in end


def test_write_mode_enables_merchant_writes_with_its_own_banner(writer: FlaskClient) -> None:
    page = writer.get("/connect/").get_data(as_text=True)
    assert "disabled" not in _button(page, "Turn the e-mails")
    # Connecting or disconnecting Pongo stays refused in write mode, and looks it.
    assert "disabled" in _button(page, "Reconnect Pongo")
    assert "banner-support-write" in page
    assert "changes allowed" in page


def test_merchant_sees_every_control_enabled(staffed: Flask) -> None:
    from tests.conftest import launch

    client = staffed.test_client()
    launch(client)
    page = client.get("/connect/").get_data(as_text=True)
    assert "disabled" not in _button(page, "Turn the e-mails")
    assert "Read-only view" not in page
