"""The Products page against the sandbox: filters, composer, Rewards → composer, CSV, isolation."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import httpx
from flask import Flask
from flask.testing import FlaskClient

from portal.products.composer import apply_ticks
from tests.helpers.api import Api, new_key
from tests.helpers.launch import launch
from tests.helpers.pages import text_of
from tests.helpers.rewards import refresh, reward, set_rewards
from tests.products.conftest import composed, row_refs


def refs(client: FlaskClient, **args: str | list[str]) -> list[str]:
    """The product refs the page lists for these query-string arguments."""
    response = client.get("/products", query_string=args)
    assert response.status_code == 200
    return row_refs(response.get_data(as_text=True))


def page_text(client: FlaskClient, **args: str | list[str]) -> str:
    """The page's visible text."""
    response = client.get("/products", query_string=args)
    assert response.status_code == 200
    return text_of(response.get_data(as_text=True))


def test_page_lists_active_products_with_price_places_and_flags(
    merchant_client: FlaskClient,
) -> None:
    page = merchant_client.get("/products").get_data(as_text=True)
    assert row_refs(page) == [
        "CAF-004",
        "BAK-001",
        "BAK-012",
        "BAK-012-XL",
        "MENU-02",
        "MENU-03",
        "BAK-002",
        "BAK-003",
    ]
    assert 'data-copy-target="sku-1"' in page
    text = text_of(page)
    assert "8 products" in text
    assert "Lumière Lyon" in text  # BAK-003 is sold at L2 only
    assert "All locations" in text
    assert "Shared SKU" in text
    assert "2 products carry this SKU: a reward cannot tell them apart." in text
    assert "its paid options are not included and must be charged" in text


def test_filters_by_location_paid_options_rewards_and_archive(
    merchant_client: FlaskClient, pongo: httpx.Client
) -> None:
    assert "MENU-02" not in refs(merchant_client, location="L2")
    assert "BAK-003" in refs(merchant_client, location="L2")
    assert "CAF-004" in refs(merchant_client, location="L2")  # sold everywhere
    assert refs(merchant_client, location="L1", q="pain") == ["BAK-002"]
    assert refs(merchant_client, paid="1") == ["CAF-004"]
    assert refs(merchant_client, state="archived") == ["BAK-060"]
    set_rewards(pongo, [reward("rew_a", "Goûter", "BAK-001, ZLT-1"), reward("rew_b", "X", None)])
    refresh(merchant_client)
    assert refs(merchant_client, usage="used") == ["BAK-001"]
    assert "BAK-001" not in refs(merchant_client, usage="unused")
    assert len(refs(merchant_client, usage="unused")) == 7
    page = merchant_client.get("/products", query_string={"usage": "used"}).get_data(as_text=True)
    assert 'href="/rewards#row-rew_a">Goûter</a>' in page


def test_prices_follow_the_language(app: Flask, merchant_client: FlaskClient) -> None:
    api = Api(app.test_client(), new_key(app))
    body = {"products": [{"sku": "CAF-010", "name": "Thé", "price_cents": 350}]}
    assert api.put("/merchants/M1/products", body).status_code == 200
    assert "€3.50" in page_text(merchant_client)
    launch(merchant_client, extra={"locale": "fr"})
    assert "3,50 €" in page_text(merchant_client)  # a no-break space, collapsed by text_of


def test_composer_shows_the_list_its_meaning_and_warnings(merchant_client: FlaskClient) -> None:
    page = merchant_client.get("/products?sel=BAK-001").get_data(as_text=True)
    assert composed(page) == "BAK-001"
    assert "One SKU: a single product or menu." in text_of(page)
    page = merchant_client.get(
        "/products", query_string={"sel": ["BAK-001", "CAF-004", "BAK-012", "BAK-060", "NOPE"]}
    ).get_data(as_text=True)
    text = text_of(page)
    assert composed(page) == "BAK-001,CAF-004,BAK-012,BAK-060,NOPE"
    assert "the customer picks any one of these 5 products" in text
    assert "CAF-004 (Cappuccino): The reward covers the product only" in text
    assert "BAK-012 is shared by 2 products" in text
    assert "BAK-060: only archived products carry it (Flan nature)" in text
    assert "NOPE is not a SKU of your catalogue." in text
    assert "Rewards, edit the reward, and replace the content of its SKU (external id)" in text


def test_ticks_update_the_selection_and_it_survives_search_and_paging(
    merchant_client: FlaskClient,
) -> None:
    # Page shows BAK-001 and BAK-002; BAK-001 unticked, BAK-002 ticked; CAF-004 is elsewhere.
    page = merchant_client.get(
        "/products",
        query_string={
            "sel": ["CAF-004", "BAK-001"],
            "shown": ["BAK-001", "BAK-002"],
            "tick": ["BAK-002"],
            "q": "pain",
        },
    ).get_data(as_text=True)
    assert composed(page) == "CAF-004,BAK-002"
    # The search form and the links carry the selection, not the boxes' last state.
    assert '<input type="hidden" name="sel" value="CAF-004">' in page
    assert '<input type="hidden" name="sel" value="BAK-002">' in page
    assert 'name="tick" value="BAK-002" checked' in page
    assert apply_ticks(["A", "B", "C"], shown=["B", "D"], ticked=["D"]) == ("A", "C", "D")


def test_pages_hold_fifty_products_and_links_keep_the_selection(
    app: Flask, merchant_client: FlaskClient
) -> None:
    api = Api(app.test_client(), new_key(app))
    many = [{"sku": f"TST-{n:03d}", "name": f"Test {n:03d}"} for n in range(120)]
    assert api.put("/merchants/M1/products", {"products": many}).status_code == 200
    page = merchant_client.get("/products?q=test&sel=TST-007").get_data(as_text=True)
    assert len(row_refs(page)) == 50
    assert "Page 1 of 3" in page
    assert 'href="/products?page=2&amp;q=test&amp;sel=TST-007"' in page
    third = merchant_client.get("/products?q=test&sel=TST-007&page=3").get_data(as_text=True)
    assert row_refs(third)[-1] == "TST-119"
    assert len(row_refs(third)) == 20
    assert composed(third) == "TST-007"
    assert row_refs(merchant_client.get("/products?page=999&q=test").get_data(as_text=True))


def test_rewards_row_opens_the_composer_keeping_other_systems_codes_last(
    merchant_client: FlaskClient, pongo: httpx.Client
) -> None:
    set_rewards(pongo, [reward("rew_mix", "Viennoiserie", "ZLT-1, BAK-002,bak 003,\u00a0BAK-001")])
    rewards_page = refresh(merchant_client).get_data(as_text=True)
    assert 'href="/products/from-reward/rew_mix"' in rewards_page
    opened = merchant_client.get("/products/from-reward/rew_mix")
    assert opened.status_code == 302
    query = parse_qs(urlsplit(opened.headers["Location"]).query)
    assert query == {
        "sel": ["BAK-002", "BAK-001"],
        "keep": ["ZLT-1", "bak 003"],
        "reward": ["rew_mix"],
    }
    page = merchant_client.get(opened.headers["Location"]).get_data(as_text=True)
    assert composed(page) == "BAK-002,BAK-001,ZLT-1,bak 003"
    assert "Editing the SKUs of the Pongo reward “Viennoiserie”." in text_of(page)
    # Ticking one more product puts it after this POS's SKUs, before the kept codes.
    added = merchant_client.get(
        opened.headers["Location"] + "&shown=CAF-004&tick=CAF-004"
    ).get_data(as_text=True)
    assert composed(added) == "BAK-002,BAK-001,CAF-004,ZLT-1,bak 003"
    removed = merchant_client.get(opened.headers["Location"].replace("&keep=ZLT-1", ""))
    assert composed(removed.get_data(as_text=True)) == "BAK-002,BAK-001,bak 003"
    assert merchant_client.get("/products/from-reward/rew_unknown").status_code == 404


def test_csv_export_is_excel_ready_and_formula_safe(
    app: Flask, merchant_client: FlaskClient, pongo: httpx.Client
) -> None:
    api = Api(app.test_client(), new_key(app))
    body = {
        "products": [
            {"sku": "CAF-010", "name": "Thé vert", "price_cents": 350, "has_paid_options": True},
            {"sku": "=1+1", "name": "@SUM(A1)", "location_refs": ["L1", "L2"]},
        ]
    }
    assert (
        api.put(
            "/merchants/M1/locations",
            {"locations": [{"ref": "L1", "name": "Oberkampf"}, {"ref": "L2", "name": "Lyon"}]},
        ).status_code
        == 200
    )
    assert api.put("/merchants/M1/products", body).status_code == 200
    set_rewards(pongo, [reward("rew_t", "Thé offert", "CAF-010")])
    refresh(merchant_client)
    response = merchant_client.get("/products/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="pos-products.csv"' in response.headers["Content-Disposition"]
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbfsku,name,price (EUR),paid options,locations")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1:] == [
        ["'=1+1", "'@SUM(A1)", "", "no", "Oberkampf | Lyon", "", "'=1+1", "no"],
        ["CAF-010", "Thé vert", "3.50", "yes", "*", "Thé offert (rew_t)", "CAF-010", "no"],
    ]
    only_paid = merchant_client.get("/products/export.csv?paid=1").get_data(as_text=True)
    assert "Thé vert" in only_paid
    assert "SUM" not in only_paid


def test_merchants_never_see_each_others_products(
    app: Flask, merchant_client: FlaskClient, pongo: httpx.Client
) -> None:
    api = Api(app.test_client(), new_key(app))
    assert api.put("/merchants/M2", {"name": "Pizzeria Nonna"}).status_code in (200, 201)
    body = {
        "products": [
            {"sku": "PIZ-001", "name": "Margherita"},
            {"sku": "BAK-001", "name": "Pizza croissant"},
        ]
    }
    assert api.put("/merchants/M2/products", body).status_code == 200
    assert refs(merchant_client, q="margherita") == []
    assert refs(merchant_client, q="bak-001") == ["BAK-001"]
    page = merchant_client.get("/products?sel=PIZ-001").get_data(as_text=True)
    assert "PIZ-001 is not a SKU of your catalogue." in text_of(page)
    assert "Margherita" not in merchant_client.get("/products/export.csv").get_data(as_text=True)
    other = app.test_client()
    launch(other, merchant_ref="M2", merchant_name="Pizzeria Nonna")
    assert refs(other) == ["PIZ-001", "BAK-001"]  # Margherita, then Pizza croissant
    set_rewards(pongo, [reward("rew_m1", "Croissant", "BAK-001")])
    refresh(merchant_client)
    assert other.get("/products/from-reward/rew_m1").status_code == 404
    assert "rew_m1" not in other.get("/products").get_data(as_text=True)


def test_launch_target_opens_the_page_on_one_product(merchant_client: FlaskClient) -> None:
    response = launch(merchant_client, extra={"target": "products:BAK-003"})
    assert response.headers["Location"] == "/products?product=BAK-003#row-BAK-003"
    page = merchant_client.get(response.headers["Location"]).get_data(as_text=True)
    assert row_refs(page) == ["BAK-003"]
    assert "Show all products" in page
    assert launch(merchant_client, extra={"target": "products"}).headers["Location"] == "/products"
    nav = merchant_client.get("/").get_data(as_text=True)
    assert '<a href="/products"' in nav


def test_a_narrowed_list_counts_what_it_keeps_out_of_the_products_sold(
    merchant_client: FlaskClient, pongo: httpx.Client
) -> None:
    assert "sold by your POS" not in page_text(merchant_client)
    assert "1 product (of 8 sold by your POS)" in page_text(merchant_client, paid="1")
    assert "1 product (of 8 sold by your POS)" in page_text(merchant_client, state="archived")
    assert "1 product (of 8 sold by your POS)" in page_text(merchant_client, product="BAK-001")
    assert "0 products (of 8 sold by your POS)" in page_text(merchant_client, q="zzz")
    set_rewards(pongo, [reward("rew_a", "Goûter", "BAK-001, CAF-004")])
    refresh(merchant_client)
    assert "2 products (of 8 sold by your POS)" in page_text(merchant_client, usage="used")
    assert "6 products (of 8 sold by your POS)" in page_text(merchant_client, usage="unused")
    both = page_text(merchant_client, usage="unused", q="pain", location="L1")
    assert "1 product (of 8 sold by your POS)" in both
