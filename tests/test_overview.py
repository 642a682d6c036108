"""The overview: onboarding checklist and the problems worth a look."""

from __future__ import annotations

import httpx
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers.api import new_key
from tests.helpers.connect import connect_merchant
from tests.helpers.launch import launch


def api_headers(app: Flask) -> dict[str, str]:
    """The Authorization header of a fresh POS API key."""
    return {"Authorization": f"Bearer {new_key(app, name='test')}"}


def test_new_merchant_sees_every_step_to_do(client: FlaskClient) -> None:
    launch(client)
    page = client.get("/").get_data(as_text=True)
    assert "0% done" in page
    assert "Review your rewards" in page
    assert "Connect Pongo" in page
    assert "Link your locations" in page
    assert "Not connected" in page


def test_connected_merchant_with_unlinked_locations(pongo_app: Flask, pongo: httpx.Client) -> None:
    client = pongo_app.test_client()
    headers = api_headers(pongo_app)
    api = pongo_app.test_client()
    assert api.put(
        "/api/v1/merchants/M1", json={"name": "Boulangerie Lumière"}, headers=headers
    ).status_code in (200, 201)
    body = {"locations": [{"ref": "L1", "name": "Paris 11"}, {"ref": "L2", "name": "Lyon"}]}
    assert api.put("/api/v1/merchants/M1/locations", json=body, headers=headers).status_code == 200
    connect_merchant(client, pongo)
    page = client.get("/").get_data(as_text=True)
    assert "33% done" in page
    assert "Connected" in page
    assert "POS locations not linked to a Pongo store" in page
