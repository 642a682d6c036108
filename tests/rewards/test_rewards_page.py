"""The Rewards page against the sandbox: tricky SKU lists end to end, refresh, filters, escaping."""

from __future__ import annotations

import html
import re

import httpx
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models.audit import AuditEvent
from portal.models.merchant import Merchant
from portal.overview.services import overview_for
from portal.pongo import endpoints
from portal.rewards.catalogue import index_cache
from tests.helpers.api import Api
from tests.helpers.launch import launch
from tests.helpers.pages import text_of
from tests.helpers.rewards import Fetch, link, refresh, reward, row_of, set_rewards

# external_id as typed in Pongo -> what the row must say (status, token words and details).
TRICKY: list[tuple[str | None, list[str]]] = [
    ("BAK-001", ["Ready", "Matched", "→ Croissant", "A single product or menu"]),
    (
        " BAK-001 ,\u00a0BAK-002\t,\n",
        [
            "Ready",
            "→ Croissant",
            "→ Pain au chocolat",
            "A list: the customer picks any one of these 2 products or menus.",
        ],
    ),
    ("bak 001", ["Not redeemable", "Near miss", "Did you mean BAK-001?"]),
    (
        "ZLT-88213,LS_4471",
        ["Not redeemable", "Other system", "Not in your catalogue — probably another system's SKU"],
    ),
    (
        "BAK-012",
        [
            "To check",
            "Ambiguous",
            "Éclair au café (BAK-012)",
            "géant (BAK-012-XL)",
            "Your tills can honour it but cannot tell which product is meant",
            "give each product its own SKU in your POS catalogue",
            "A single product or menu",
        ],
    ),
    ("BAK-001,BAK-012", ["To check", "Matched", "Ambiguous", "any one of these 2 products"]),
    ("BAK-060", ["Not redeemable", "Inactive", "Flan nature (BAK-060)"]),
    ("CAF-004", ["To check", "its paid options are not included and must be charged"]),
    (",, ,\u00a0", ["No SKU", "This reward has no SKU in Pongo"]),
    (None, ["No SKU"]),
    ("", ["No SKU"]),
    ("BAK-001,BAK-001,BAK-001", ["Ready", "A single product or menu"]),
    ("\u200bBAK-002\ufeff", ["Ready", "→ Pain au chocolat"]),
]


NAMES_EVERY_PRODUCT = "Croissant, pain, éclair, flan ou cappuccino"


def test_tricky_external_ids_are_classified_on_the_page(fetch: Fetch) -> None:
    # A name sharing a word with every product: only the SKUs decide the status here.
    named = [reward(f"rew_{n:010d}", NAMES_EVERY_PRODUCT, raw) for n, (raw, _) in enumerate(TRICKY)]
    page = fetch(*named)
    for n, (raw, expected) in enumerate(TRICKY):
        text = html.unescape(text_of(row_of(page, f"rew_{n:010d}")))
        for words in expected:
            assert words in text, f"{raw!r}: {words!r} missing from {text!r}"


def test_corrected_list_keeps_other_systems_and_fixes_typos_with_a_copy_button(
    fetch: Fetch,
) -> None:
    page = fetch(
        reward("rew_fix", "Viennoiserie", "BAK-001, ZLT-1,bak 002"),
        reward("rew_fine", "Croissant", "BAK-001 , ZLT-1"),
    )
    fix = row_of(page, "rew_fix")
    assert 'value="BAK-001,ZLT-1,BAK-002" readonly' in fix
    assert 'data-copy-target="fix-1"' in fix
    assert "Rewards → this reward → the SKU field" in html.unescape(fix)
    # Spacing alone is no correction: nothing to paste.
    assert "Corrected SKU list" not in row_of(page, "rew_fine")


def test_rewards_changed_in_pongo_show_after_a_refresh_only(
    merchant_client: FlaskClient, pongo: httpx.Client, app: Flask
) -> None:
    page = refresh(merchant_client).get_data(as_text=True)
    assert "16 Pongo rewards fetched." in page
    assert 'id="row-rew_0ece003f2e"' in page
    assert "last synced" in page
    set_rewards(pongo, [reward("rew_new0000001", "Galette des rois", "BAK-002")])
    # Reading the page never fetches nor writes: the cache is what was last fetched.
    assert 'id="row-rew_new0000001"' not in merchant_client.get("/rewards").get_data(as_text=True)
    page = refresh(merchant_client).get_data(as_text=True)
    assert 'id="row-rew_new0000001"' in page
    assert 'id="row-rew_0ece003f2e"' not in page
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "rewards.refresh")
        ).all()
        # The first fetch happens when Pongo is connected, the next two by the button.
        assert [e.details for e in events] == [{"rewards": 16}, {"rewards": 16}, {"rewards": 1}]


def test_refresh_without_a_connection_asks_to_connect_first(client: FlaskClient) -> None:
    launch(client)
    page = refresh(client).get_data(as_text=True)
    assert "Connect your Pongo account first." in page
    assert "Your Pongo rewards have not been fetched yet." in page
    # The message leads to the page where that is done.
    flash = page[page.index("Connect your Pongo account first.") :]
    assert flash[: flash.index("</div>")].count('href="/connect/"') == 1


def test_reward_ids_and_the_sku_field_label_sit_under_technical_details(fetch: Fetch) -> None:
    page = fetch(reward("rew_fix", "Viennoiserie", "BAK-001, bak 002"))
    assert "rew_fix" not in text_of(row_of(page, "rew_fix"))
    assert "SKU (external id)" not in page[: page.index('class="technical-details')]
    technical = page[page.index('class="technical-details') :]
    assert "<code>rew_fix</code>" in technical
    assert "SKU (external id)" in technical


def test_failed_refresh_keeps_the_last_rewards_and_says_why(
    merchant_client: FlaskClient, pongo: httpx.Client
) -> None:
    refresh(merchant_client)
    pongo.post("/_sandbox/faults", json={"path": endpoints.REWARDS.path, "status": 500, "count": 5})
    page = refresh(merchant_client).get_data(as_text=True)
    assert "Your rewards were not refreshed" in page
    assert 'id="row-rew_0ece003f2e"' in page


def test_status_filter_and_search_narrow_the_list(
    merchant_client: FlaskClient, pongo: httpx.Client
) -> None:
    refresh(merchant_client)
    page = merchant_client.get("/rewards").get_data(as_text=True)
    assert "Not redeemable (" in page
    not_redeemable = merchant_client.get("/rewards?status=not_redeemable").get_data(as_text=True)
    assert 'id="row-rew_5e1b7a3d46"' in not_redeemable  # BAK-0O1, another system's
    assert 'id="row-rew_0ece003f2e"' not in not_redeemable
    # Accents and case are ignored; SKUs are searched too.
    by_name = merchant_client.get("/rewards?q=ECLAIR").get_data(as_text=True)
    assert by_name.count('<tr id="row-') == 1
    assert 'id="row-rew_9c5f1e7b8a"' in by_name
    by_sku = merchant_client.get("/rewards?q=ls_447").get_data(as_text=True)
    assert by_sku.count('<tr id="row-') == 2
    nothing = merchant_client.get("/rewards?q=BAK-001&status=no_sku").get_data(as_text=True)
    assert "No reward matches." in nothing
    # An unknown status is no filter at all.
    assert (
        merchant_client.get("/rewards?status=bogus").get_data(as_text=True).count('<tr id="row-')
        == 16
    )


def test_launch_target_opens_the_page_on_the_reward_row(
    merchant_client: FlaskClient, pongo: httpx.Client
) -> None:
    refresh(merchant_client)
    answer = launch(merchant_client, extra={"target": "rewards:rew_9c5f1e7b8a"})
    assert answer.headers["Location"] == "/rewards#row-rew_9c5f1e7b8a"
    assert 'id="row-rew_9c5f1e7b8a"' in merchant_client.get("/rewards").get_data(as_text=True)


HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_SKU = '"><img src=x onerror=alert(1)>'


def test_reward_names_and_skus_are_escaped(merchant_client: FlaskClient, fetch: Fetch) -> None:
    fetch(
        reward("rew_evil000001", HOSTILE_NAME, f"{HOSTILE_SKU},bak 001"),
        reward("rew_evil000002", HOSTILE_SKU, HOSTILE_NAME),
    )
    for url in ("/rewards", f"/rewards?q={HOSTILE_SKU}", "/rewards?view=locations"):
        page = merchant_client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page
        assert "<img src=x" not in page
    page = merchant_client.get("/rewards").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page


def test_one_merchant_never_sees_another_merchants_rewards(
    merchant_client: FlaskClient, pongo: httpx.Client, app: Flask, api: Api
) -> None:
    refresh(merchant_client)
    other = app.test_client()
    launch(other, merchant_ref="M2", merchant_name="Pizzeria Nonna")
    page = other.get("/rewards").get_data(as_text=True)
    assert "rew_0ece003f2e" not in page
    assert "Your Pongo rewards have not been fetched yet." in page
    assert "rew_0ece003f2e" not in other.get("/rewards/export.csv").get_data(as_text=True)
    assert api.get("/merchants/M2/rewards").json == {"rewards": [], "synced_at": None}
    with app.app_context():
        m2 = db.session.scalar(select(Merchant).where(Merchant.ref == "M2"))
        assert m2 is not None
        assert reward_problems(m2) == {"not_redeemable": 0, "check": 0}


def reward_problems(merchant: Merchant) -> dict[str, int]:
    """The overview's reward counts, as the overview reads them."""
    problems = overview_for(merchant).problems
    return {key: problems.get(key, 0) for key in ("not_redeemable", "check")}


def test_locations_view_says_where_each_reward_can_be_redeemed(
    merchant_client: FlaskClient, fetch: Fetch, app: Flask
) -> None:
    fetch(
        reward("rew_everywhere", "Croissant", "BAK-001"),
        reward("rew_lunch", "Formule déjeuner", "MENU-02,MENU-03"),
        reward("rew_lyon", "Pain aux raisins", "BAK-003,ZLT-9"),
        reward("rew_nowhere", "Autre", "ZLT-9"),
    )
    link(app, "L1", "lumiere-paris-11")
    link(app, "L2", "lumiere-lyon-2")
    page = merchant_client.get("/rewards?view=locations").get_data(as_text=True)
    assert 'aria-current="page">Where each reward can be redeemed' in page

    def cells(public_id: str) -> list[str]:
        row = page.split(f'id="where-{public_id}"')[1].split("</tr>")[0]
        return ["Yes" if "✔" in cell else "No" for cell in re.split(r"<td[ >]", row)[1:]]

    assert cells("rew_everywhere") == ["Yes", "Yes"]
    assert cells("rew_lunch") == ["Yes", "No"]
    assert cells("rew_lyon") == ["No", "Yes"]
    assert cells("rew_nowhere") == ["No", "No"]


def test_overview_counts_rewards_to_fix(merchant_client: FlaskClient, app: Flask) -> None:
    refresh(merchant_client)
    with app.app_context():
        m1 = db.session.scalar(select(Merchant).where(Merchant.ref == "M1"))
        assert m1 is not None
        # Demo fixture against the test catalogue; the shared BAK-012 makes the éclair a check,
        # and "Macarons x6" giving a croissant is worth a look.
        assert reward_problems(m1) == {"not_redeemable": 7, "check": 4}


def test_a_new_catalogue_is_seen_at_once_and_an_unchanged_one_is_not_reindexed(
    merchant_client: FlaskClient, fetch: Fetch, app: Flask, api: Api
) -> None:
    fetch(reward("rew_0000000001", "Chouquettes", "BAK-099"))
    builds = index_cache_builds(app)
    for _ in range(3):
        assert "Other system" in merchant_client.get("/rewards").get_data(as_text=True)
    assert index_cache_builds(app) == builds
    body = {"products": [{"sku": "BAK-099", "name": "Chouquettes (x10)"}]}
    assert api.put("/merchants/M1/products", body).status_code == 200
    page = merchant_client.get("/rewards").get_data(as_text=True)
    assert "→ Chouquettes (x10)" in page
    assert index_cache_builds(app) == builds + 1


def index_cache_builds(app: Flask) -> int:
    """How many catalogue indexes this app has built so far."""
    with app.app_context():
        return index_cache().builds
