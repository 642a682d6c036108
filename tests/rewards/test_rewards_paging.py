"""The Rewards page shows one page of rewards, problems first; counts and filters cover them all."""

from __future__ import annotations

import re

from flask import Flask

from tests.helpers.seed import Size, api_key, open_session, seed_merchant

REWARDS = Size(locations=30, stores=30, products=300, rewards=80, orders=0)


def reward_ids(page: str) -> list[str]:
    """The reward ids of the rows shown, in order."""
    return re.findall(r'<tr id="row-(rew_\d+)"', page)


def row_statuses(page: str) -> list[str]:
    """The status word of each row shown, in order."""
    words = ("Not redeemable", "To check", "No SKU", "Ready")
    rows = page.split('<tr id="row-')[1:]
    return [min(words, key=lambda w: row.find(w) if w in row else len(row)) for row in rows]


def test_rewards_come_a_page_at_a_time_problems_first(app: Flask) -> None:
    token = open_session(app, seed_merchant(app, api_key(app), "M1", REWARDS))
    client = app.test_client()
    client.set_cookie("portal_session", token)
    first = client.get("/rewards").get_data(as_text=True)
    assert "All (80)" in first
    assert "Page 1 of 4" in first
    shown = reward_ids(first)
    assert len(shown) == 25
    seen = set(shown)
    for number in (2, 3, 4):
        page = client.get(f"/rewards?page={number}").get_data(as_text=True)
        assert "All (80)" in page
        seen |= set(reward_ids(page))
    assert len(seen) == 80
    # Problems first: no "ready" reward before a reward to check on the first page.
    order = ["Not redeemable", "To check", "No SKU", "Ready"]
    statuses = row_statuses(first) + row_statuses(page)
    assert statuses[:25] == sorted(statuses[:25], key=order.index)
    assert "Ready" in row_statuses(page)
    assert "Ready" not in statuses[:25] or "To check" not in row_statuses(page)
    # A page past the end shows the last page.
    assert reward_ids(client.get("/rewards?page=99").get_data(as_text=True)) == reward_ids(page)


def test_filtered_rewards_are_paged_within_the_filter(app: Flask) -> None:
    token = open_session(app, seed_merchant(app, api_key(app), "M1", REWARDS))
    client = app.test_client()
    client.set_cookie("portal_session", token)
    page = client.get("/rewards?q=R%C3%A9compense%207").get_data(as_text=True)
    # "Récompense 7" and 70-79: eleven rewards, one page, counts still over all 80.
    assert len(reward_ids(page)) == 11
    assert "Page 1 of" not in page
    assert "All (80)" in page
