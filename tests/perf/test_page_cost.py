"""Every merchant page costs a fixed number of SQL statements and no call to Pongo.

The pages are found in the app's URL map, so a new merchant page is checked without being
listed here; a page whose URL takes arguments needs an example below.
"""

from __future__ import annotations

import json
import re

import httpx
from flask import Flask
from werkzeug.datastructures import MultiDict

from portal.access import MERCHANT, policy_of
from tests.helpers.api import new_key
from tests.helpers.connect import connect_merchant
from tests.helpers.locations import drawn_rows
from tests.helpers.pages import csrf_token
from tests.helpers.queries import counting
from tests.helpers.seed import SMALL, Size, open_session, seed_merchant

# Larger than a page of every list, so that a query per row shows as a difference.
LARGE = Size(locations=120, stores=130, products=400, rewards=120, orders=130)
# Example arguments for merchant pages whose URL takes some.
URL_ARGUMENTS: dict[str, dict[str, str]] = {"orders.detail": {"order_ref": "O000003"}}
# Merchant GET endpoints that are steps of a flow, not pages to view.
NOT_PAGES = frozenset({"connect.callback", "products.from_reward"})


def merchant_pages(app: Flask) -> list[str]:
    """The URL of every page a signed-in merchant can open."""
    urls = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if "GET" not in (rule.methods or ()) or rule.endpoint in NOT_PAGES:
                continue
            if policy_of(rule.endpoint) != MERCHANT:
                continue
            arguments = URL_ARGUMENTS.get(rule.endpoint, {})
            assert set(rule.arguments) <= set(arguments), (
                f"{rule.endpoint} takes {sorted(rule.arguments)}: add an example to URL_ARGUMENTS"
            )
            urls.append(url_for(rule.endpoint, **arguments))
    return sorted(urls)


def statements_per_view(app: Flask, token: str, url: str) -> list[str]:
    """The statements of one view of `url`, after a first view has warmed the caches."""
    client = app.test_client()
    client.set_cookie("portal_session", token)
    assert client.get(url).status_code == 200, url
    with counting(app) as statements:
        answer = client.get(url)
    assert answer.status_code == 200, url
    return statements


def test_every_merchant_page_runs_as_many_statements_for_a_large_merchant(app: Flask) -> None:
    key = new_key(app, name="seed")
    small = open_session(app, seed_merchant(app, key, "SMALL", SMALL))
    large = open_session(app, seed_merchant(app, key, "LARGE", LARGE))
    pages = merchant_pages(app)
    assert {"/", "/locations", "/rewards", "/orders"} <= set(pages)
    for url in pages:
        few = statements_per_view(app, small, url)
        many = statements_per_view(app, large, url)
        assert len(many) == len(few), (url, len(few), len(many), many)
        # A page view reads the session, its merchant and the connection in one statement.
        (opening,) = [s for s in many if "FROM web_sessions" in s]
        assert "JOIN merchants" in opening, opening
        assert "JOIN pongo_connections" in opening, opening
        assert not [s for s in many if "FROM merchants" in s or "FROM pongo_connections" in s]


def test_no_merchant_page_calls_pongo(pongo_app: Flask, pongo: httpx.Client) -> None:
    client = pongo_app.test_client()
    key = new_key(pongo_app, name="seed")
    seed_merchant(pongo_app, key, "M1", SMALL)
    connect_merchant(client, pongo)
    for form in ("/locations/refresh", "/rewards/refresh"):
        token = csrf_token(client, form.removesuffix("/refresh"))
        assert client.post(form, data={"csrf_token": token}).status_code == 302
    before = len(pongo.get("/_sandbox/requests").json())
    assert before > 0  # the refreshes above did reach the sandbox
    for url in merchant_pages(pongo_app):
        assert client.get(url).status_code == 200, url
    assert pongo.get("/_sandbox/requests").json()[before:] == []


def test_a_large_merchants_locations_page_lists_its_stores_once(app: Flask) -> None:
    key = new_key(app, name="seed")
    size = Size(locations=60, stores=200, products=5, rewards=1, orders=0)
    token = open_session(app, seed_merchant(app, key, "LARGE", size))
    client = app.test_client()
    client.set_cookie("portal_session", token)
    page = client.get("/locations").get_data(as_text=True)
    free = [f"store-{n}" for n in range(30, 200)]  # the first 30 are linked
    # Every free store is in the page's one shared list; rows offer a few stores each.
    shared = re.search(
        r'<script type="application/json" id="pongo-stores"[^>]*>(.*?)</script>', page
    )
    assert shared is not None
    assert [slug for slug, _text in json.loads(shared.group(1))] == sorted(
        free, key=lambda slug: f"Lumière {slug.removeprefix('store-')}"
    )
    selects = re.findall(r"<select id=\"store-\d+\" name=\"store\"[^>]*>(.*?)</select>", page, re.S)
    assert len(selects) == 50
    assert max(select.count("<option") for select in selects) <= 3
    assert len(page.encode()) < 100_000  # each row listing every store: over 600 KB
    # A store from the shared list, offered in no row, can still be saved on any row.
    rows = re.findall(r'name="ref" value="(L\d+)"', page)
    chosen = dict.fromkeys(rows, "")
    linked = re.findall(r'<option value="(store-\d+)" selected>', page)
    for ref, slug in zip(rows, linked, strict=False):
        chosen[ref] = slug
    last = rows[-1]
    chosen[last] = "store-199"
    form = {"csrf_token": csrf_token(client, "/locations"), "page": "1"}
    body = list(form.items())
    drawn = drawn_rows(page)
    for ref, slug in chosen.items():
        was, version = drawn[ref]
        body += [("ref", ref), ("store", slug), ("was", was), ("version", version)]
    answer = client.post("/locations", data=MultiDict(body))
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    after = client.get("/locations").get_data(as_text=True)
    assert re.search(rf'id="row-{last}".*?<option value="store-199" selected>', after, re.S)
