"""An API key and a JSON client for the POS API."""

from __future__ import annotations

from typing import Any

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
        """One request under /api/v1 with the key."""
        headers = {"Authorization": f"Bearer {self.key}", **kwargs.pop("headers", {})}
        return self.client.open(
            f"/api/v1{path}", method=method, json=body, headers=headers, **kwargs
        )

    def put(self, path: str, body: Any = None, **kwargs: Any) -> TestResponse:
        """PUT a JSON body."""
        return self.call("PUT", path, body, **kwargs)

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        """GET a resource."""
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> TestResponse:
        """POST a JSON body."""
        return self.call("POST", path, body, **kwargs)

    def order(self, body: dict[str, Any], merchant: str = "M1") -> TestResponse:
        """Send a closed order for a merchant."""
        return self.post(f"/merchants/{merchant}/orders", body)


def locations(*refs: str) -> dict[str, Any]:
    """A locations body with one location per ref."""
    return {"locations": [{"ref": ref, "name": f"Shop {ref}", "city": "Paris"} for ref in refs]}
