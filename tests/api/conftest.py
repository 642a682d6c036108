"""An API key and a JSON client for the POS API."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.api.keys import create_key
from portal.extensions import db


def new_key(app: Flask, name: str = "pos-backend") -> str:
    """A fresh API key's plaintext, committed."""
    with app.app_context():
        key = create_key(name=name).plaintext
        db.session.commit()
    return key


class Api:
    """Calls the POS API with a Bearer key, the way the POS back-end does."""

    def __init__(self, client: FlaskClient, key: str) -> None:
        self.client = client
        self.key = key

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> TestResponse:
        headers = {"Authorization": f"Bearer {self.key}", **kwargs.pop("headers", {})}
        return self.client.open(
            f"/api/v1{path}", method=method, json=body, headers=headers, **kwargs
        )

    def put(self, path: str, body: Any = None, **kwargs: Any) -> TestResponse:
        return self.call("PUT", path, body, **kwargs)

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.call("GET", path, **kwargs)


@pytest.fixture
def api_key(app: Flask) -> str:
    return new_key(app)


@pytest.fixture
def api(client: FlaskClient, api_key: str) -> Api:
    return Api(client, api_key)


@pytest.fixture
def merchant_api(api: Api) -> Api:
    """The API with merchant M1 already created."""
    assert api.put("/merchants/M1", {"name": "Boulangerie Lumière"}).status_code == 201
    return api


def locations(*refs: str) -> dict[str, Any]:
    """A locations body with one location per ref."""
    return {"locations": [{"ref": ref, "name": f"Shop {ref}", "city": "Paris"} for ref in refs]}
