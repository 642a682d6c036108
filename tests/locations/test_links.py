"""The Locations page: links saved all or nothing, suggestions, drift after a refresh, isolation."""

from __future__ import annotations

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.locations.guide import location_problems
from portal.models.audit import AuditEvent
from portal.models.merchant import Merchant
from tests.helpers.api import Api
from tests.helpers.launch import launch
from tests.helpers.locations import accept_suggestions, fetch_stores, listed, post_links
from tests.helpers.pages import csrf_token


def slugs(api: Api, ref: str = "M1") -> dict[str, str | None]:
    """Location ref -> linked store slug, as the POS reads it."""
    return {
        x["ref"]: x["loyalty_store_slug"]
        for x in api.get(f"/merchants/{ref}/locations").json["locations"]
    }


def test_page_lists_locations_with_labelled_selects_and_row_anchors(
    shop_client: FlaskClient,
) -> None:
    page = shop_client.get("/locations").get_data(as_text=True)
    assert listed(page) == ["L1", "L2", "L3"]
    assert "Pongo store for Alice Paris" in page
    assert "Alice Paris — 1 rue de Rivoli, 75001, Paris (alice-paris)" in page
    assert "last synced" in page


def test_saving_many_rows_links_them_and_the_pos_reads_the_slugs(
    shop_client: FlaskClient, api: Api, app: Flask
) -> None:
    token = csrf_token(shop_client, "/locations")
    answer = post_links(shop_client, token, {"L1": "alice-paris", "L2": "alice-lyon", "L3": ""})
    assert answer.status_code == 302
    assert slugs(api) == {"L1": "alice-paris", "L2": "alice-lyon", "L3": None}
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "location.link")
        ).all()
        assert sorted(
            (e.details["location"], e.details["old"], e.details["new"]) for e in events
        ) == [
            ("L1", None, "alice-paris"),
            ("L2", None, "alice-lyon"),
        ]
        assert {e.actor for e in events} == {"owner@example.com"}


def test_a_store_chosen_twice_refuses_the_whole_save(shop_client: FlaskClient, api: Api) -> None:
    token = csrf_token(shop_client, "/locations")
    answer = post_links(
        shop_client, token, {"L1": "alice-paris", "L2": "alice-lyon", "L3": "alice-paris"}
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "already linked to location L1" in page
    assert "already linked to location L3" in page
    assert slugs(api) == {"L1": None, "L2": None, "L3": None}


def test_store_linked_elsewhere_is_not_offered(shop_client: FlaskClient) -> None:
    token = csrf_token(shop_client, "/locations")
    post_links(shop_client, token, {"L1": "alice-paris", "L2": "", "L3": ""})
    page = shop_client.get("/locations").get_data(as_text=True)
    # Offered once: as L1's own store only.
    assert page.count('<option value="alice-paris"') == 1


def test_swapping_two_links_in_one_save_works(shop_client: FlaskClient, api: Api) -> None:
    token = csrf_token(shop_client, "/locations")
    post_links(shop_client, token, {"L1": "alice-paris", "L2": "alice-lyon"})
    assert (
        post_links(shop_client, token, {"L1": "alice-lyon", "L2": "alice-paris"}).status_code == 302
    )
    assert slugs(api)["L1"] == "alice-lyon"


def test_unknown_store_slug_is_refused_per_row(shop_client: FlaskClient, api: Api) -> None:
    token = csrf_token(shop_client, "/locations")
    answer = post_links(shop_client, token, {"L1": "alice-paris", "L2": "no-such-store"})
    assert answer.status_code == 422
    assert "no longer among your Pongo stores" in answer.get_data(as_text=True)
    assert slugs(api)["L1"] is None


def test_suggestions_are_accepted_at_or_above_the_threshold_only(
    shop_client: FlaskClient, api: Api
) -> None:
    page = shop_client.get("/locations").get_data(as_text=True)
    assert "% match" in page
    token = csrf_token(shop_client, "/locations")
    answer = accept_suggestions(shop_client, token, "100", {"L1": "0", "L2": "0", "L3": "0"})
    assert answer.status_code == 302
    assert slugs(api) == {"L1": "alice-paris", "L2": None, "L3": None}
    accept_suggestions(shop_client, token, "60", {"L1": "1", "L2": "0", "L3": "0"})
    assert slugs(api) == {"L1": "alice-paris", "L2": "alice-lyon", "L3": None}


def test_nothing_is_linked_by_viewing_the_page(shop_client: FlaskClient, api: Api) -> None:
    shop_client.get("/locations")
    assert set(slugs(api).values()) == {None}


def test_renamed_and_removed_stores_show_as_renamed_and_orphaned_after_refresh(
    shop_client: FlaskClient, app: Flask, http: httpx.Client, api: Api
) -> None:
    token = csrf_token(shop_client, "/locations")
    post_links(shop_client, token, {"L1": "alice-paris", "L2": "alice-lyon"})
    stores = [{"slug": "alice-paris", "name": "Alice Rivoli", "public_id": "sto_alice00001"}]
    changed = http.put(
        f"/_sandbox/accounts/{'alice@bakery.example'}/stores", json={"stores": stores}
    )
    assert changed.status_code == 200
    assert fetch_stores(app, http) == 1
    page = shop_client.get("/locations").get_data(as_text=True)
    assert "Renamed" in page
    assert "Now “Alice Rivoli”, was “Alice Paris” when linked." in page
    assert "Orphaned" in page
    assert "Store alice-lyon is no longer at Pongo" in page
    assert slugs(api) == {"L1": "alice-paris", "L2": "alice-lyon", "L3": None}
    with app.app_context():
        merchant_row = db.session.scalar(select(Merchant).where(Merchant.ref == "M1"))
        assert merchant_row is not None
        assert location_problems(merchant_row) == {
            "unlinked": 1,
            "orphaned": 1,
            "renamed": 1,
            "inactive_linked": 0,
        }


def test_archived_location_shows_as_inactive(shop_client: FlaskClient, api: Api) -> None:
    token = csrf_token(shop_client, "/locations")
    post_links(shop_client, token, {"L3": "alice-lyon"})
    api.put(
        "/merchants/M1/locations",
        {"locations": [{"ref": "L1", "name": "Alice Paris"}, {"ref": "L2", "name": "Alice Lyon"}]},
    )
    active = shop_client.get("/locations").get_data(as_text=True)
    assert 'id="row-L3"' not in active
    inactive = shop_client.get("/locations?show=inactive").get_data(as_text=True)
    assert 'id="row-L3"' in inactive
    assert "Inactive" in inactive


def test_search_and_pages_show_fifty_rows_and_save_touches_only_them(
    client: FlaskClient, api: Api, app: Flask, http: httpx.Client
) -> None:
    api.put("/merchants/M1", {"name": "Big"})
    many = [
        {"ref": f"L{n:04d}", "name": f"Shop {n}", "city": "Lyon" if n % 2 else "Paris"}
        for n in range(120)
    ]
    api.put("/merchants/M1/locations", {"locations": many})
    fetch_stores(app, http)
    launch(client, merchant_ref="M1", merchant_name="Big")
    first = client.get("/locations").get_data(as_text=True)
    assert len(listed(first)) == 50
    assert "Page 1 of 3" in first
    assert len(listed(client.get("/locations?page=3").get_data(as_text=True))) == 20
    lyon = listed(client.get("/locations?q=lyon").get_data(as_text=True))
    assert "L0001" in lyon
    assert "L0002" not in lyon
    assert "L0110" in listed(client.get("/locations?focus=L0110").get_data(as_text=True))
    token = csrf_token(client, "/locations")
    post_links(client, token, {"L0000": "alice-paris"})
    linked = {k: v for k, v in slugs(api).items() if v}
    assert linked == {"L0000": "alice-paris"}


def test_another_merchants_location_cannot_be_linked_or_seen(
    shop_client: FlaskClient, api: Api
) -> None:
    api.put("/merchants/M2", {"name": "Other"})
    api.put("/merchants/M2/locations", {"locations": [{"ref": "SECRET", "name": "Other shop"}]})
    token = csrf_token(shop_client, "/locations")
    answer = post_links(shop_client, token, {"SECRET": "alice-paris"})
    assert answer.status_code == 422
    assert slugs(api, "M2") == {"SECRET": None}
    assert "Other shop" not in shop_client.get("/locations?q=SECRET").get_data(as_text=True)
    accept_suggestions(shop_client, token, "1", {"SECRET": "0"})
    assert slugs(api, "M2") == {"SECRET": None}


def test_refresh_without_a_pongo_connection_says_so(shop_client: FlaskClient) -> None:
    token = csrf_token(shop_client, "/locations")
    answer = shop_client.post(
        "/locations/refresh", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Connect your Pongo account first." in answer.get_data(as_text=True)


@pytest.mark.parametrize("wildcard", ["%", "_", "Alice_Paris", "Ali%Lyon"])
def test_search_takes_like_wildcards_literally(shop_client: FlaskClient, wildcard: str) -> None:
    body = shop_client.get("/locations", query_string={"q": wildcard}).get_data(as_text=True)
    assert body.count('<tr id="row-') == 0


@pytest.mark.parametrize("page", ["²", "①", "-1", "0", str(10**20), "1e3", " 2", ""])
def test_odd_page_numbers_show_a_page(shop_client: FlaskClient, page: str) -> None:
    response = shop_client.get("/locations", query_string={"page": page})
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('<tr id="row-') == 3
