"""The Rewards page once rewards are reviewed: one state per row, reviewed rows folded after
the open problems, the setup's next action after the last review, and what a refresh changed."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient

from tests.helpers.pages import text_of
from tests.helpers.rewards import Fetch, mark, refresh, reward, row_of

REWARDS = [
    reward("rew_partner", "Café offert", "ZLT-88213,LS_4471"),
    reward("rew_ready", "Croissant offert", "BAK-001"),
    reward("rew_paid", "Cappuccino offert", "CAF-004"),
]


@pytest.fixture(autouse=True)
def _fetched(fetch: Fetch) -> None:
    """Each test starts on the Rewards page with REWARDS fetched from Pongo."""
    fetch(*REWARDS)


def review(client: FlaskClient, public_id: str, reason: str) -> None:
    """Mark a reward as reviewed from a page drawn now."""
    assert mark(client, public_id, reason).status_code == 302


def order(page: str) -> list[str]:
    """The reward ids of the rows, in order."""
    return re.findall(r'<tr id="row-(rew_\w+)"', page)


def test_a_reviewed_row_has_one_state_folded_details_and_comes_after_open_problems(
    merchant_client: FlaskClient,
) -> None:
    review(merchant_client, "rew_partner", "other_partner")
    page = html.unescape(merchant_client.get("/rewards").get_data(as_text=True))
    assert order(page) == ["rew_paid", "rew_partner", "rew_ready"]
    row = row_of(page, "rew_partner")
    badges = re.findall(r'class="badge[^"]*"', row)
    assert len(badges) == 1
    assert "Reviewed" in text_of(row)
    assert "Not redeemable" not in text_of(row)
    # "What to do" is for open problems only; the SKUs stay one click away.
    assert "To fix" not in text_of(row.split("<details", 1)[0])
    assert row.count('<details class="folded">') == 2
    assert 'class="folded"' not in row_of(page, "rew_paid")


def test_after_the_last_review_the_page_offers_the_next_step(merchant_client: FlaskClient) -> None:
    review(merchant_client, "rew_partner", "other_partner")
    assert 'id="next-step-title"' not in merchant_client.get("/rewards").get_data(as_text=True)
    review(merchant_client, "rew_paid", "paid_options_charged")
    page = merchant_client.get("/rewards").get_data(as_text=True)
    # Locations are not linked yet: the next step is theirs.
    assert "Next: link your locations" in page


def test_a_refresh_says_what_changed_since_the_last_fetch(
    merchant_client: FlaskClient, fetch: Fetch
) -> None:
    page = refresh(merchant_client).get_data(as_text=True)
    assert "3 Pongo rewards fetched. Nothing changed since the last fetch." in page
    page = fetch(
        reward("rew_partner", "Café offert", "ZLT-88213,LS_4471,BAK-001"),
        reward("rew_ready", "Croissant offert", "BAK-001"),
        reward("rew_new", "Flan offert", "BAK-060"),
        reward("rew_other", "Éclair offert", "BAK-012"),
    )
    assert "4 Pongo rewards fetched. Since the last fetch: 2 new, 1 changed, 1 removed." in page
