"""API keys: hashed, revocable, required on every call but the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.api.keys import verify_key
from portal.extensions import db
from portal.models.api_key import ApiKey
from portal.models.base import utcnow
from tests.helpers.api import Api, new_key


def test_call_without_key_is_refused_with_json_401(client: FlaskClient) -> None:
    answer = client.get("/api/v1/merchants/M1/locations")
    assert answer.status_code == 401
    assert answer.json == {"error": "Unauthorized", "message": "A valid API key is required."}
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_wrong_secret_with_a_real_prefix_is_refused(client: FlaskClient, api_key: str) -> None:
    forged = api_key.rsplit("_", 1)[0] + "_not-the-secret"
    assert Api(client, forged).get("/merchants/M1/locations").status_code == 401
    assert Api(client, "garbage").get("/merchants/M1/locations").status_code == 401


def test_revoked_key_is_refused(app: Flask, merchant_api: Api) -> None:
    runner = app.test_cli_runner()
    prefix = merchant_api.key.split("_")[1]
    result = runner.invoke(args=["revoke-api-key", prefix])
    assert result.exit_code == 0, result.output
    assert merchant_api.get("/merchants/M1/locations").status_code == 401


def test_create_api_key_prints_the_key_once_and_stores_only_its_hash(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["create-api-key", "pos-prod"])
    assert result.exit_code == 0, result.output
    plaintext = result.output.split()[0]
    assert plaintext.startswith("pk_")
    with app.app_context():
        key = db.session.scalar(select(ApiKey).where(ApiKey.name == "pos-prod"))
        assert key is not None
        assert plaintext.split("_", 2)[2] not in (key.secret_hash, key.prefix)
    listing = app.test_cli_runner().invoke(args=["list-api-keys"])
    assert key.prefix in listing.output
    assert "pos-prod" in listing.output
    assert plaintext not in listing.output


def test_last_use_is_recorded_at_most_once_a_minute(app: Flask) -> None:
    plaintext = new_key(app)
    with app.app_context():
        first = verify_key(plaintext)
        assert first is not None
        assert first.last_used_at is not None
        noted = first.last_used_at
        db.session.commit()
        assert verify_key(plaintext).last_used_at == noted  # type: ignore[union-attr]
        first.last_used_at = utcnow() - timedelta(minutes=2)
        db.session.commit()
        again = verify_key(plaintext)
        assert again is not None
        assert again.last_used_at is not None
        assert again.last_used_at > noted - timedelta(seconds=1)


def test_openapi_document_is_public(client: FlaskClient) -> None:
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    assert answer.json["openapi"].startswith("3.1")


def test_api_calls_are_rate_limited_per_key(app: Flask, client: FlaskClient) -> None:
    app.config["API_RATE_LIMIT"] = "3/minute"
    first, second = Api(client, new_key(app)), Api(client, new_key(app))
    statuses = [first.get("/merchants/M1/locations").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    assert first.get("/merchants/M1/locations").json["error"]
    # Another key has its own budget.
    assert second.get("/merchants/M1/locations").status_code == 404
