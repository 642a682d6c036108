"""Each request meets the steps of portal/lifecycle.py in their order, whatever stops it."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from prometheus_client import REGISTRY

from tests.helpers.launch import launch

BEFORE_THE_VIEW = [
    "start_timer",
    "assign_request_id",
    "refuse_oversized_body",
    "csrf_protect",
    "_check_request_limit",
    "refuse_control_characters",
    "guard_view_as",
    "enforce_access",
]


def _timed(endpoint: str) -> float:
    return REGISTRY.get_sample_value("portal_page_seconds_count", {"endpoint": endpoint}) or 0.0


def test_the_app_runs_the_steps_before_the_view_in_the_lifecycle_order(app: Flask) -> None:
    hooks = [getattr(hook, "__name__", "") for hook in app.before_request_funcs[None]]
    assert hooks == BEFORE_THE_VIEW


def test_a_form_refused_by_its_csrf_check_is_timed_and_keeps_its_id_and_headers(
    client: FlaskClient,
) -> None:
    launch(client)
    before = _timed("locations.save")
    answer = client.post(
        "/locations", data={"csrf_token": "wrong"}, headers={"X-Request-ID": "req-0123456789"}
    )
    assert answer.status_code == 400
    assert answer.headers["X-Request-ID"] == "req-0123456789"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["Cache-Control"] == "no-store"
    assert _timed("locations.save") == before + 1


def test_a_page_refused_by_its_access_policy_is_timed_and_gets_a_fresh_id(
    client: FlaskClient,
) -> None:
    before = _timed("locations.index")
    answer = client.get("/locations", headers={"X-Request-ID": "bad id!"})
    assert answer.status_code in {302, 401, 403}
    assert len(answer.headers["X-Request-ID"]) == 32
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert _timed("locations.index") == before + 1
