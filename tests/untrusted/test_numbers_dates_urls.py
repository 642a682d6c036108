"""Odd numbers, calendar-edge dates and URLs that do not parse get a clear answer."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.untrusted.conftest import Served, Visitor


def _api(served: Served) -> httpx.Client:
    return httpx.Client(
        base_url=f"{served.url}/api/v1",
        headers={"Authorization": f"Bearer {served.api_key}"},
        timeout=10,
    )


@pytest.mark.parametrize("page", ["²", "①", "-1", "0", str(10**18), str(10**20), "1e3", " 2"])
def test_a_page_number_that_is_not_one_survives_a_save_and_its_redirect(
    visitor: Visitor, served: Served, page: str
) -> None:
    with _api(served) as api:
        api.put("/merchants/M2", json={"name": "Lumière Lyon"})
        locations = [{"ref": "L1", "name": "Lumière Lyon", "city": "Lyon"}]
        assert api.put("/merchants/M2/locations", json={"locations": locations}).is_success
    assert visitor.launch(merchant_ref="M2").status_code == 302
    token = visitor.csrf("/locations")
    saved = visitor.post(
        "/locations", data={"csrf_token": token, "ref": "L1", "store": "", "page": page}
    )
    assert saved.status_code == 302, saved.text[:300]
    after = visitor.follow(saved)
    assert after.status_code == 200
    assert "Links saved" in after.text


def _order(created_at: str) -> dict[str, Any]:
    return {
        "order_ref": "O-edge",
        "location_ref": "L1",
        "total_cents": 120,
        "created_at": created_at,
        "customer": {"public_id": "cus_1"},
        "lines": [{"sku": "BAK-001", "name": "Croissant", "quantity": 1, "unit_price_cents": 120}],
    }


@pytest.mark.parametrize("created_at", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_an_order_dated_past_the_calendar_edges_is_refused(served: Served, created_at: str) -> None:
    with _api(served) as api:
        api.put("/merchants/M3", json={"name": "Lumière Lille"})
        answer = api.post("/merchants/M3/orders", json=_order(created_at))
    assert answer.status_code == 422, answer.text[:300]
    assert "created_at" in answer.text


@pytest.mark.parametrize(
    "return_url", ["http://[::1/", "https://[pos.example.com/x", "http://[::1]x/"]
)
def test_a_return_url_that_does_not_parse_is_ignored(visitor: Visitor, return_url: str) -> None:
    answer = visitor.launch(extra={"return_url": return_url})
    assert answer.status_code == 302, answer.text[:300]
    assert visitor.follow(answer).status_code == 200
