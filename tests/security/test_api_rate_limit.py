"""SEC-34: the API limit counts real keys only; failed authentications count per address."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from portal import config
from tests.helpers.api import Api, new_key
from tests.helpers.apps import make_app


def _forged(key: str) -> str:
    return f"pk_{key.split('_')[1]}_garbage"


def test_forged_calls_with_a_real_prefix_do_not_spend_the_keys_budget(database_url: str) -> None:
    app: Flask = make_app(database_url, api_rate_limit="3/minute")
    client: FlaskClient = app.test_client()
    key = new_key(app)
    forger = Api(client, _forged(key))
    statuses = [forger.get("/merchants/M1/locations").status_code for _ in range(4)]
    assert statuses == [401] * 4
    real = Api(client, key)
    assert [real.get("/merchants/M1/locations").status_code for _ in range(4)] == [404] * 3 + [429]


def test_failed_authentications_are_limited_per_address(app: Flask) -> None:
    key = new_key(app)
    forged = {"Authorization": f"Bearer {_forged(key)}"}
    client = app.test_client()
    attacker = {"REMOTE_ADDR": "10.9.0.1"}
    path = "/api/v1/merchants/M1/locations"
    statuses = [
        client.get(path, headers=forged, environ_base=attacker).status_code for _ in range(61)
    ]
    assert statuses == [401] * 60 + [429]
    # The real key still works, from that address too, and other addresses are unaffected.
    real = {"Authorization": f"Bearer {key}"}
    assert client.get(path, headers=real, environ_base=attacker).status_code == 404
    other = {"REMOTE_ADDR": "10.9.0.2"}
    assert client.get(path, headers=forged, environ_base=other).status_code == 401


def test_the_per_key_limit_is_a_documented_setting() -> None:
    settings = config.from_environ({"PORTAL_API_RATE_LIMIT": "10/second"})
    assert settings.api_rate_limit == "10/second"
    assert config.Settings().api_rate_limit == "600/minute"
    assert ("PORTAL_API_RATE_LIMIT", "600/minute") in config.settings_table()
