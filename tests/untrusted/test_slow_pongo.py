"""A slow Pongo, or a reward built to be slow to read, never holds a page more than 5 s."""

from __future__ import annotations

import httpx

from tests.untrusted.conftest import Visitor, add_fault, set_account_list


def test_refresh_gives_up_on_a_slow_pongo_and_says_so(
    visitor: Visitor, pongo: httpx.Client
) -> None:
    assert visitor.connect(pongo, "M20").status_code == 302
    add_fault(pongo, path="/v1/rewards", method="GET", delay_ms=12_000, count=5)
    answer = visitor.post("/rewards/refresh", data={"csrf_token": visitor.csrf("/rewards")})
    page = visitor.follow(answer)
    assert "Pongo is slow to answer, try again in a minute." in page.text, page.text[
        page.text.find("flashes") : page.text.find("flashes") + 800
    ]
    add_fault(pongo, path="/v1/stores", method="GET", delay_ms=25_000, count=5)
    answer = visitor.post("/locations/refresh", data={"csrf_token": visitor.csrf("/locations")})
    assert "Pongo is slow to answer" in visitor.follow(answer).text


def test_a_slow_token_exchange_ends_the_callback_in_time(
    visitor: Visitor, pongo: httpx.Client
) -> None:
    add_fault(pongo, path="/v1/oauth/token", method="POST", delay_ms=15_000)
    answer = visitor.connect(pongo, "M21")
    # The callback's own answer for a Pongo that does not answer: a page, not a crash.
    assert answer.status_code == 502
    assert "Pongo is not answering right now" in answer.text


def test_a_reward_with_a_huge_or_endless_sku_list_is_read_quickly(
    visitor: Visitor, pongo: httpx.Client
) -> None:
    assert visitor.connect(pongo, "M22").status_code == 302
    one_long = {"public_id": "rew_long", "name": "One long SKU", "external_id": "K9" * 9_000}
    many = {
        "public_id": "rew_many",
        "name": "Many SKUs",
        "external_id": ",".join(f"SKU-{i}" for i in range(2_000)),
    }
    set_account_list(pongo, "rewards", [one_long, many])
    answer = visitor.post("/rewards/refresh", data={"csrf_token": visitor.csrf("/rewards")})
    assert "2 Pongo rewards fetched" in visitor.follow(answer).text
    for _ in range(3):
        page = visitor.get("/rewards")
        assert page.status_code == 200
        assert "Not readable" in page.text
