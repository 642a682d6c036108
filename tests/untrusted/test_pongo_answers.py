"""Pongo's answers are untrusted: what is valid is kept, what is not is skipped and counted."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.untrusted.conftest import Visitor, add_fault, set_account_list

GOOD_REWARD = {"public_id": "rew_ok", "name": "Croissant offert", "points": 100}
ODD_REWARDS: list[dict[str, Any]] = [
    {"public_id": "rew_long", "name": "x" * 301},
    {"public_id": "rew_huge", "name": "x" * 100_000},
    {"public_id": "rew_sku", "name": "Long list", "external_id": "A" * 100_000},
    {"public_id": int("9" * 4300)},
    {"public_id": "rew_p31", "points": 2**31},
    {"public_id": "rew_p63", "points": 2**63},
    {"public_id": "rew_p20", "points": 10**20},
    {"public_id": "rew_pfloat", "points": 1e300},
    {"public_id": "rew\x00nul"},
    {"public_id": ["a", "list"]},
]
GOOD_STORE = {"slug": "oberkampf", "name": "Lumière Oberkampf", "city": "Pa\x00ris"}
ODD_STORES: list[dict[str, Any]] = [
    {"slug": "s" * 129},
    {"slug": "long-name", "name": "n" * 201},
    {"slug": "huge-name", "name": "n" * 100_000},
    {"slug": "slug\x00nul"},
    {"slug": "zip", "postal_code": 12345678901234567890123},
]


def refresh(visitor: Visitor, page: str) -> httpx.Response:
    """Press "Refresh from Pongo" on a page and land on the page after."""
    answer = visitor.post(f"{page}/refresh", data={"csrf_token": visitor.csrf(page)})
    return visitor.follow(answer)


def test_odd_rewards_are_skipped_and_counted(visitor: Visitor, pongo: httpx.Client) -> None:
    assert visitor.connect(pongo, "M10").status_code == 302
    set_account_list(
        pongo,
        "rewards",
        [GOOD_REWARD, {"public_id": "rew_named", "name": "Pain\x00"}, *ODD_REWARDS],
    )
    page = refresh(visitor, "/rewards")
    assert page.status_code == 200
    assert f"{len(ODD_REWARDS)} rewards from Pongo could not be read" in page.text
    assert "2 Pongo rewards fetched" in page.text
    shown = visitor.get("/rewards")
    assert "Croissant offert" in shown.text
    assert "rew_named" in shown.text
    assert visitor.get("/rewards/export.csv").status_code == 200


def test_odd_stores_are_skipped_and_counted(visitor: Visitor, pongo: httpx.Client) -> None:
    assert visitor.connect(pongo, "M11").status_code == 302
    set_account_list(pongo, "stores", [GOOD_STORE, *ODD_STORES])
    page = refresh(visitor, "/locations")
    assert page.status_code == 200
    assert f"{len(ODD_STORES)} stores from Pongo could not be read" in page.text
    assert "1 Pongo store fetched" in page.text


def test_an_odd_identity_answer_still_connects(visitor: Visitor, pongo: httpx.Client) -> None:
    account = {"id": "acc_odd", "name": "n" * 201, "email": "e" * 321, "scopes": ["x\x00"]}
    add_fault(pongo, path="/v1/oauth/me", method="GET", status=200, body=account)
    answer = visitor.connect(pongo, "M12")
    assert answer.status_code == 302, answer.text[:300]
    assert "Pongo is connected" in visitor.follow(answer).text


@pytest.mark.parametrize(
    ("merchant_ref", "lifetime"),
    [("M13", {"expires_in": 1e20}), ("M14", {"expires_at": 1e20})],
)
def test_an_odd_token_lifetime_still_connects(
    visitor: Visitor, pongo: httpx.Client, merchant_ref: str, lifetime: dict[str, float]
) -> None:
    token = {"access_token": "tok", "token_type": "Bearer", **lifetime}
    add_fault(pongo, path="/v1/oauth/token", method="POST", status=200, body=token)
    add_fault(pongo, path="/v1/oauth/me", method="GET", status=200, body={"id": "acc_odd"})
    answer = visitor.connect(pongo, merchant_ref)
    assert answer.status_code == 302, answer.text[:300]
    assert visitor.follow(answer).status_code == 200
    assert visitor.get("/connect/").status_code == 200


def test_a_next_page_link_that_is_not_a_url_is_a_clear_error(
    visitor: Visitor, pongo: httpx.Client
) -> None:
    assert visitor.connect(pongo, "M15").status_code == 302
    body = {"data": [GOOD_REWARD], "links": {"next": "http://[::1/x"}}
    add_fault(pongo, path="/v1/rewards", method="GET", status=200, body=body)
    page = refresh(visitor, "/rewards")
    assert page.status_code == 200
    assert "Pongo sent an answer the portal does not understand" in page.text
