"""Authenticated pages and API answers are never stored by browsers or proxies."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.helpers.api import Api, new_key
from tests.helpers.launch import launch
from tests.helpers.staff import add_staff, sign_in

ARGUMENT = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def _get_paths(app: Flask, prefix: str = "/") -> list[str]:
    """Every GET route, with arguments filled by a placeholder (those answer 404: also checked)."""
    paths = set()
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or set()) and rule.endpoint != "static":
            path = ARGUMENT.sub("M1", rule.rule)
            if path.startswith(prefix):
                paths.add(path)
    return sorted(paths)


def test_every_merchant_page_is_no_store(app: Flask, client: FlaskClient) -> None:
    assert launch(client).status_code == 302
    for path in _get_paths(app):
        if path.startswith("/api/") or path == "/launch":
            continue
        response = client.get(path)
        assert response.headers.get("Cache-Control") == "no-store", (path, response.status_code)


def test_staff_pages_are_no_store(app: Flask) -> None:
    add_staff(app, "alex@pos.example")
    client = app.test_client()
    assert sign_in(client, "alex@pos.example").status_code == 302
    for path in _get_paths(app, "/support/"):
        response = client.get(path)
        assert response.headers.get("Cache-Control") == "no-store", (path, response.status_code)


def test_api_answers_are_no_store(app: Flask, client: FlaskClient) -> None:
    api = Api(client, new_key(app))
    assert api.put("/merchants/M1", {"name": "Boulangerie Lumière"}).status_code in (200, 201)
    for path in _get_paths(app, "/api/"):
        response = api.get(path.removeprefix("/api/v1"))
        assert response.headers.get("Cache-Control") == "no-store", (path, response.status_code)
    assert client.get("/api/v1/merchants/M1/locations").headers["Cache-Control"] == "no-store"
