"""The setup guide: what is left in one sentence, links to the first row, the next action."""

from __future__ import annotations

import re

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.locations.states import NO_STORE
from portal.models.merchant import Merchant
from portal.rewards.entries import reward_entries
from tests.helpers.api import Api, new_key
from tests.helpers.connect import connect_merchant
from tests.helpers.launch import launch
from tests.helpers.locations import post_links
from tests.helpers.pages import csrf_token, text_of
from tests.helpers.sandbox import DEMO_LOGIN

LOCATIONS = [
    {"ref": "L1", "name": "Lumière Paris Oberkampf", "city": "Paris"},
    {"ref": "L2", "name": "Lumière Lyon Bellecour", "city": "Lyon"},
    {"ref": "L3", "name": "Laboratoire central", "city": "Rungis"},
]
LINKS = {"L1": "lumiere-paris-11", "L2": "lumiere-lyon-2"}


def link_to(html: str, words: str) -> str:
    """The href of the link whose text is exactly these words."""
    for href, inner in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', html, re.S):
        if text_of(inner) == words:
            return href.replace("&amp;", "&")
    raise AssertionError(f"no link {words!r}")


def to_review(app: Flask) -> list[str]:
    """The rewards the guide still counts, in Pongo's order."""
    with app.app_context():
        merchant = db.session.scalar(select(Merchant).where(Merchant.ref == "M1"))
        assert merchant is not None
        return [e.check.public_id for e in reward_entries(merchant) if e.needs_review]


@pytest.fixture
def merchant(pongo_app: Flask, pongo: httpx.Client) -> FlaskClient:
    """M1 with three locations, connected to the sandbox's demo account (stores fetched)."""
    api = Api(pongo_app.test_client(), new_key(pongo_app))
    api.put("/merchants/M1", {"name": "Boulangerie Lumière"})
    assert api.put("/merchants/M1/locations", {"locations": LOCATIONS}).status_code == 200
    client = pongo_app.test_client()
    connect_merchant(client, pongo)
    return client


def test_a_new_merchant_reads_what_each_step_needs_and_what_done_means(
    client: FlaskClient,
) -> None:
    launch(client)
    page = client.get("/").get_data(as_text=True)
    assert "0% done" in page
    assert "Not connected" in page
    for step in ("Connect Pongo", "Link your locations", "Review your rewards"):
        assert step in page
    assert (
        link_to(
            page, "Pongo is not connected yet: sign in to your Pongo account and allow the portal."
        )
        == "/connect/"
    )
    assert "Your POS has not sent any location yet." in page
    assert "Your rewards are fetched once Pongo is connected." in page
    assert "Done when every active location is linked to its Pongo store or marked" in text_of(page)
    assert "Next:" not in page


def test_after_connecting_the_one_next_action_opens_the_first_location(
    merchant: FlaskClient, pongo_app: Flask
) -> None:
    page = merchant.get("/connect/").get_data(as_text=True)
    assert page.count("button-primary") == 1
    assert link_to(page, "Next: link your locations") == "/locations?focus=L1#row-L1"
    overview = merchant.get("/").get_data(as_text=True)
    assert "33% done" in overview
    assert "Connected" in overview
    assert "POS locations not linked to a Pongo store" in overview
    assert (
        link_to(overview, "3 locations have no Pongo store yet, first: Lumière Paris Oberkampf")
        == "/locations?focus=L1#row-L1"
    )
    waiting = to_review(pongo_app)
    assert len(waiting) > 1
    assert link_to(overview, f"{len(waiting)} rewards need your review") == (
        f"/rewards#row-{waiting[0]}"
    )
    # Before the last location is settled, the Locations page offers no next step.
    post_links(merchant, csrf_token(merchant, "/locations"), LINKS)
    page = merchant.get("/locations").get_data(as_text=True)
    assert "Next:" not in page
    overview = merchant.get("/").get_data(as_text=True)
    assert (
        link_to(overview, "1 location has no Pongo store yet: Laboratoire central")
        == "/locations?focus=L3#row-L3"
    )


def test_marking_the_last_location_finishes_the_step_and_points_at_the_rewards(
    merchant: FlaskClient, pongo_app: Flask
) -> None:
    post_links(merchant, csrf_token(merchant, "/locations"), {**LINKS, "L3": NO_STORE})
    page = merchant.get("/locations").get_data(as_text=True)
    first = to_review(pongo_app)[0]
    assert link_to(page, "Next: review your rewards") == f"/rewards#row-{first}"
    overview = merchant.get("/").get_data(as_text=True)
    assert "67% done" in overview
    assert "Every active location is linked to its Pongo store or marked “No Pongo store”." in (
        overview
    )


def test_an_orphaned_link_reopens_the_step_on_its_row(
    merchant: FlaskClient, pongo: httpx.Client
) -> None:
    post_links(merchant, csrf_token(merchant, "/locations"), {**LINKS, "L3": NO_STORE})
    remaining = [
        {"slug": "lumiere-lyon-2", "name": "Lumière Lyon Bellecour", "public_id": "st_lyon"}
    ]
    answer = pongo.put(f"/_sandbox/accounts/{DEMO_LOGIN}/stores", json={"stores": remaining})
    assert answer.status_code == 200
    merchant.post("/locations/refresh", data={"csrf_token": csrf_token(merchant, "/locations")})
    overview = merchant.get("/").get_data(as_text=True)
    assert "33% done" in overview
    assert (
        link_to(
            overview,
            "1 link points to a Pongo store that no longer exists: Lumière Paris Oberkampf",
        )
        == "/locations?focus=L1#row-L1"
    )


def test_reviewing_every_flagged_reward_completes_the_setup(
    merchant: FlaskClient, pongo_app: Flask
) -> None:
    post_links(merchant, csrf_token(merchant, "/locations"), {**LINKS, "L3": NO_STORE})
    token = csrf_token(merchant, "/rewards")
    waiting = to_review(pongo_app)
    for public_id in waiting[:-1]:
        merchant.post(
            f"/rewards/{public_id}/review", data={"csrf_token": token, "reason": "other_partner"}
        )
    overview = merchant.get("/").get_data(as_text=True)
    assert link_to(overview, "1 reward needs your review") == f"/rewards#row-{waiting[-1]}"
    assert "Your Pongo setup is complete" not in overview
    merchant.post(
        f"/rewards/{waiting[-1]}/review", data={"csrf_token": token, "reason": "other_partner"}
    )
    overview = merchant.get("/").get_data(as_text=True)
    assert "Your Pongo setup is complete" in overview
    assert "Orders from your linked locations are relayed to Pongo as they arrive" in overview
    assert "% done" not in overview
    page = merchant.get("/locations").get_data(as_text=True)
    assert "Your Pongo setup is complete" in page
    assert link_to(page, "See the overview") == "/"


def test_the_guide_speaks_french_with_real_plurals(merchant: FlaskClient) -> None:
    launch(merchant, extra={"locale": "fr"})
    overview = text_of(merchant.get("/").get_data(as_text=True))
    assert "3 établissements n’ont pas encore de boutique Pongo, le premier : " in overview
    post_links(merchant, csrf_token(merchant, "/locations"), LINKS)
    overview = text_of(merchant.get("/").get_data(as_text=True))
    assert "1 établissement n’a pas encore de boutique Pongo : Laboratoire central" in overview
    page = merchant.get("/connect/").get_data(as_text=True)
    assert "Suivant : associez vos établissements" in text_of(page)
