"""`GET /api/v1/merchants/<ref>/summary`: the overview's figures, for the POS admin panel."""

from __future__ import annotations

from typing import Any

import httpx
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models.merchant import Merchant
from portal.overview.services import overview_for
from tests.helpers.connect import connect_merchant
from tests.helpers.launch import launch
from tests.helpers.locations import LOCATIONS
from tests.helpers.orders import OrdersApi, fast_worker, link_locations, order_body
from tests.helpers.queries import counting
from tests.helpers.sandbox import revoke_token
from tests.helpers.seed import SMALL, Size, seed_merchant
from tests.helpers.seed import api_key as seed_key

LARGE = Size(locations=120, stores=130, products=400, rewards=120, orders=130)


def summary(api: OrdersApi, ref: str = "M1") -> dict[str, Any]:
    answer = api.get(f"/merchants/{ref}/summary")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body: dict[str, Any] = answer.json
    return body


def overview_figures(app: Flask, ref: str = "M1") -> tuple[int, dict[str, int]]:
    """The overview's own progress and problems by area, to compare the summary with."""
    with app.test_request_context():
        merchant = db.session.scalar(select(Merchant).where(Merchant.ref == ref))
        assert merchant is not None
        overview = overview_for(merchant)
        return overview.progress, overview.problems_by_area()


def test_summary_follows_the_merchant_from_first_launch_to_a_rejected_token(
    api: OrdersApi, client: FlaskClient, relay_app: Flask, pongo: httpx.Client
) -> None:
    launch(client)
    assert api.put("/merchants/M1/locations", {"locations": LOCATIONS}).status_code == 200
    before = summary(api)
    assert before["connection"] == "not_connected"
    assert before["setup_percent"] == 0
    assert before["problems"] == {"locations": 3, "rewards": 0, "orders": 0}
    assert before["orders_waiting"] == 0
    assert before["pongo_unavailable_since"] is None

    connect_merchant(client, pongo)
    link_locations(relay_app)  # L1 and L2; L3 stays unlinked
    connected = summary(api)
    progress, problems = overview_figures(relay_app)
    assert connected["connection"] == "connected"
    assert connected["setup_percent"] == progress == 33
    assert connected["problems"] == problems
    assert connected["problems"]["locations"] == 1

    revoke_token(pongo)
    for ref in ("A", "B"):
        assert api.order(order_body(ref)).status_code == 202
    with fast_worker(relay_app) as worker:
        worker.drain()
    rejected = summary(api)
    assert rejected["connection"] == "needs_reconnection"
    assert rejected["orders_waiting"] == 2
    assert rejected["problems"]["orders"] == 2
    assert rejected["setup_percent"] == overview_figures(relay_app)[0]


def test_an_unknown_merchant_is_a_json_404(api: OrdersApi) -> None:
    answer = api.get("/merchants/NOPE/summary")
    assert answer.status_code == 404
    assert answer.json["message"] == "Unknown merchant."


def test_summary_needs_an_api_key(client: FlaskClient) -> None:
    assert client.get("/api/v1/merchants/M1/summary").status_code == 401


def test_summary_is_in_the_openapi_document(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").json
    get = document["paths"]["/merchants/{ref}/summary"]["get"]
    assert get["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SummaryOut"
    }
    fields = document["components"]["schemas"]["SummaryOut"]["properties"]
    assert set(fields) == {
        "connection",
        "setup_percent",
        "problems",
        "orders_waiting",
        "pongo_unavailable_since",
        "changed_at",
    }


def test_summary_costs_as_many_statements_for_a_large_merchant_and_never_calls_pongo(
    relay_app: Flask, pongo: httpx.Client
) -> None:
    key = seed_key(relay_app)
    seed_merchant(relay_app, key, "SMALL", SMALL)
    seed_merchant(relay_app, key, "LARGE", LARGE)
    http = relay_app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    calls_before = len(pongo.get("/_sandbox/requests").json())
    counts = {}
    for ref in ("SMALL", "LARGE"):
        url = f"/api/v1/merchants/{ref}/summary"
        assert http.get(url, headers=headers).status_code == 200  # warms the catalogue index
        with counting(relay_app) as statements:
            assert http.get(url, headers=headers).status_code == 200
        counts[ref] = statements
    assert len(counts["LARGE"]) == len(counts["SMALL"]), counts
    # The key, the merchant, the connection, the overview figures, the reviews, the locations
    # short of a Pongo tablet, the status.
    assert len(counts["LARGE"]) <= 7, counts["LARGE"]
    assert pongo.get("/_sandbox/requests").json()[calls_before:] == []
