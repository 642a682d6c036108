"""The skeleton: probes, error pages, headers, settings, languages, access by default."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal import config
from portal.pongo import PongoSettings
from portal.pongo.merchant import pongo_settings
from tests.helpers.launch import launch
from tests.helpers.pages import csrf_token
from tests.helpers.settings import PRODUCTION_SETTINGS, TEST_SETTINGS

PUBLIC_ENDPOINTS = {
    "static",
    "health.healthz",
    "health.readyz",
    "entry.launch",
    "entry.logout",
    "entry.demo_pos_admin",
    "sync.demo_mail",
    "i18n.switch_language",
    "api.openapi_document",
    "support.login",
    "support.logout",
    # The second-factor steps: each finds a pending sign-in or a staff session itself.
    "support.verify_factor",
    "support.setup_factor",
    # No session: its own Bearer token or scrape-address check (404/401 otherwise).
    "metrics.scrape",
}


def test_health_probes_answer_json(client: FlaskClient) -> None:
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json == {"status": "ok", "database": "ok"}


def test_readyz_reports_an_unreachable_database() -> None:
    from portal import create_app

    app = create_app({**TEST_SETTINGS, "database_url": "sqlite:////nonexistent-dir/portal.db"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unreachable"}


def test_unknown_page_is_a_readable_404_in_the_layout(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Page not found" in body
    assert 'class="site-footer"' in body
    assert "Traceback" not in body


def test_unhandled_error_shows_no_stack_trace(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    from portal.access import public

    @public
    def explode() -> str:
        raise RuntimeError("secret-internal-detail")

    app.add_url_rule("/explode", "explode", explode)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/explode")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in body
    assert "secret-internal-detail" not in body
    assert "Traceback" not in body
    assert any("Unhandled error" in r.getMessage() for r in caplog.records)


def test_every_response_carries_security_headers(client: FlaskClient) -> None:
    """SEC-32: HSTS, CSP with object-src/base-uri/frame-ancestors, nosniff, Referrer-Policy."""
    for path in ("/healthz", "/no-such-page", "/", "/launch"):
        headers = client.get(path).headers
        assert "max-age=31536000" in headers["Strict-Transport-Security"]
        assert "includeSubDomains" in headers["Strict-Transport-Security"]
        csp = headers["Content-Security-Policy"]
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
            assert directive in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_every_route_has_an_access_policy(app: Flask) -> None:
    """SEC-18: a route added without a policy fails here and is refused at run time."""
    from portal.access import PUBLIC, policy_of

    with app.test_request_context():
        unclassified = [
            r.endpoint for r in app.url_map.iter_rules() if policy_of(r.endpoint) is None
        ]
        public = {r.endpoint for r in app.url_map.iter_rules() if policy_of(r.endpoint) == PUBLIC}
    assert unclassified == []
    assert public <= PUBLIC_ENDPOINTS, f"new public endpoints: {public - PUBLIC_ENDPOINTS}"


def test_merchant_pages_need_a_session(app: Flask, client: FlaskClient) -> None:
    """SEC-18: without a launch every non-public GET page answers 401."""
    from portal.access import MERCHANT, policy_of

    with app.test_request_context():
        rules = [
            r
            for r in app.url_map.iter_rules()
            if "GET" in (r.methods or set())
            and policy_of(r.endpoint) == MERCHANT
            and not r.arguments
        ]
    assert rules
    for rule in rules:
        assert client.get(rule.rule).status_code == 401, rule.rule


def test_route_without_policy_is_refused(app: Flask) -> None:
    app.add_url_rule("/forgotten", "forgotten", lambda: "reachable")
    response = app.test_client().get("/forgotten")
    assert response.status_code == 403
    assert "reachable" not in response.get_data(as_text=True)


def test_production_refuses_missing_and_placeholder_secrets() -> None:
    settings = config.Settings(env="production", secret_key="changeme")
    with pytest.raises(config.SettingsError) as refused:
        config.check_production(settings)
    message = str(refused.value)
    for var in ("PORTAL_SECRET_KEY", "PORTAL_LAUNCH_SECRET", "PORTAL_ENCRYPTION_KEYS", "REDIS_URL"):
        assert var in message


def test_production_accepts_complete_settings() -> None:
    settings = config.from_environ({}, PRODUCTION_SETTINGS)
    config.check_production(settings)


def test_production_refuses_in_memory_rate_limits() -> None:
    """SEC-33: production without shared rate-limit storage does not start."""
    settings = config.Settings(env="production", redis_url="")
    with pytest.raises(config.SettingsError, match="REDIS_URL"):
        config.check_production(settings)


def test_development_generates_and_reuses_secrets(tmp_path: object) -> None:
    from pathlib import Path

    instance = Path(str(tmp_path))
    first = config.fill_development_secrets(config.Settings(), instance)
    second = config.fill_development_secrets(config.Settings(), instance)
    assert first.secret_key
    assert first.launch.secret
    assert first.fernet_keys
    assert (first.secret_key, first.launch.secret) == (second.secret_key, second.launch.secret)


def test_each_setting_reads_its_own_variable_into_its_section() -> None:
    variables = [var for var, _ in config.settings_table()]
    assert len(variables) == len(set(variables))
    settings = config.from_environ(
        {
            "PONGO_ORDER_CHANNEL": "kiosk",
            "PORTAL_RELAY_BATCH_SIZE": "7",
            "PORTAL_SESSION_IDLE_MINUTES": "5",
            "PONGO_TOKEN_PATH": "/oauth/token",
            "PORTAL_LAUNCH_ISSUER": "till",
        }
    )
    assert settings.orders.channel == "kiosk"
    assert settings.relay.batch_size == 7
    assert settings.session.idle_minutes == 5
    assert settings.pongo.token_path == "/oauth/token"
    assert settings.launch.issuer == "till"


def test_no_secret_setting_shows_in_the_settings_repr() -> None:
    secrets = {name: f"secret-value-of-{name}" for name in config.SECRET_SETTINGS}
    settings = config.with_values(config.Settings(), secrets)
    shown = repr(settings)
    assert [value for value in secrets.values() if value in shown] == []


def test_pongo_settings_have_one_shape_read_from_the_environment() -> None:
    settings = config.from_environ(
        {"PONGO_SCOPES": "reward.read, order.create,store.read", "PONGO_CLIENT_ID": "till"}
    )
    assert isinstance(settings.pongo, PongoSettings)
    assert settings.pongo.scopes == ("reward.read", "order.create", "store.read")
    assert settings.pongo.client_id == "till"
    assert ("PONGO_SCOPES", "reward.read,order.create,order.update") in config.settings_table()
    # The client's fixed timeouts are not settings.
    assert not any(var.endswith("CONNECT_TIMEOUT") for var, _ in config.settings_table())


def test_a_page_gives_pongo_its_short_budget_and_the_relay_its_send_timeouts(app: Flask) -> None:
    with app.app_context():
        configured = config.current().pongo
        relay = pongo_settings(read_timeout=2.5, deadline=9.0)
        assert (relay.read_timeout, relay.deadline) == (2.5, 9.0)
        assert pongo_settings() == configured
    with app.test_request_context("/"):
        page = pongo_settings()
        assert page.deadline == configured.interactive_deadline_s
        assert page.budget_until is not None


def test_an_unknown_setting_override_is_refused() -> None:
    with pytest.raises(TypeError, match="pongo_base_uri"):
        config.from_environ({}, {"pongo_base_uri": "https://api.heypongo.com"})


def test_the_app_settings_are_read_through_one_accessor(app: Flask) -> None:
    with app.app_context():
        assert config.current() is config.of(app)
        assert config.current().session.idle_minutes == app.config["SESSION_IDLE_MINUTES"]


def test_bad_whole_number_setting_names_the_variable() -> None:
    with pytest.raises(config.SettingsError, match="PORTAL_PROXY_HOPS"):
        config.from_environ({"PORTAL_PROXY_HOPS": "two"})


def test_language_follows_the_browser_then_the_footer_switch(client: FlaskClient) -> None:
    launch(client)
    french = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert 'lang="fr"' in french.get_data(as_text=True)
    assert "Vue d’ensemble" in french.get_data(as_text=True)
    token = csrf_token(client)
    client.post("/language", data={"locale": "en", "csrf_token": token, "unsafe_next": "/"})
    english = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert "Overview" in english.get_data(as_text=True)


def test_language_switch_never_redirects_off_site(client: FlaskClient) -> None:
    launch(client)
    token = csrf_token(client)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(
            "/language", data={"locale": "fr", "csrf_token": token, "unsafe_next": target}
        )
        assert response.status_code == 302
        assert response.headers["Location"] == "/"


def test_post_without_csrf_token_is_refused(client: FlaskClient) -> None:
    """SEC-20: state-changing requests need the CSRF token."""
    launch(client)
    response = client.post("/language", data={"locale": "fr"})
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)
