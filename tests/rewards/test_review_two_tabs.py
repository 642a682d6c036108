"""Two pages of one session reviewing the same reward: neither overwrites the other."""

from __future__ import annotations

import html

import pytest
from flask.testing import FlaskClient

from tests.helpers.pages import csrf_token, text_of
from tests.helpers.rewards import Fetch, drawn_review, reward, row_of

REWARDS = [reward("rew_partner", "Café offert", "ZLT-88213,LS_4471")]


@pytest.fixture(autouse=True)
def _fetched(fetch: Fetch) -> None:
    """Each test starts on the Rewards page with REWARDS fetched from Pongo."""
    fetch(*REWARDS)


def press(client: FlaskClient, action: str, drawn: str, **fields: str) -> str:
    """Submit a row's review form as drawn earlier; the page it lands on, as text."""
    data = {"csrf_token": csrf_token(client, "/rewards"), "version": drawn, **fields}
    answer = client.post(f"/rewards/rew_partner/{action}", data=data, follow_redirects=True)
    assert answer.status_code == 200
    return html.unescape(answer.get_data(as_text=True))


def test_a_review_given_in_another_tab_is_not_overwritten(merchant_client: FlaskClient) -> None:
    tab_a = tab_b = drawn_review(merchant_client, "rew_partner")
    assert tab_a == ""
    press(merchant_client, "review", tab_a, reason="other_partner", note="Deliveroo")
    page = press(merchant_client, "review", tab_b, reason="other", note="typed in tab B")
    assert "This review was changed elsewhere since the page was opened" in page
    row = text_of(row_of(page, "rew_partner"))
    assert "Only for another partner's system" in row
    assert "Deliveroo" in row
    assert "typed in tab B" not in row


def test_undoing_a_review_changed_in_another_tab_is_refused(merchant_client: FlaskClient) -> None:
    press(merchant_client, "review", "", reason="other_partner")
    stale = drawn_review(merchant_client, "rew_partner")
    assert stale
    # Tab A withdraws the review and gives another one; tab B still shows the first.
    press(merchant_client, "unreview", stale)
    press(merchant_client, "review", "", reason="not_a_product")
    page = press(merchant_client, "unreview", stale)
    assert "This review was changed elsewhere since the page was opened" in page
    assert "Not a product of the POS" in text_of(row_of(page, "rew_partner"))
    # From the page as it is now, the undo works.
    page = press(merchant_client, "unreview", drawn_review(merchant_client, "rew_partner"))
    assert "The review of “Café offert” was withdrawn." in page
