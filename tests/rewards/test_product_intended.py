"""A recognised SKU names its product; a product unlike the reward's name is a hint to check."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient

from portal.rewards.catalogue_index import CatalogueIndex
from portal.rewards.checks import RewardStatus, check_reward
from portal.rewards.forms import REASON_LABELS, reasons_for
from portal.rewards.reviews import ReviewReason
from tests.helpers.pages import csrf_token, text_of
from tests.helpers.rewards import Fetch, reward, row_of

INDEX = CatalogueIndex.from_rows(
    (
        ("croissant", "BAK-001", "Croissant", True, False, None),
        ("cafe", "CAF-001", "Café crème", True, False, None),
        ("the", "THE-001", "Thé vert", True, False, None),
    )
)


@pytest.mark.parametrize(
    ("name", "raw", "status", "unrelated"),
    [
        ("Macarons x6", "BAK-001", RewardStatus.CHECK, ("BAK-001",)),
        ("Croissants offerts", "BAK-001", RewardStatus.READY, ()),
        ("CROISSANT", "BAK-001", RewardStatus.READY, ()),
        # A list names a kind of product, rarely its products: not compared.
        ("Boisson chaude", "CAF-001,THE-001", RewardStatus.READY, ()),
        # Nothing to compare in the name: no false alarm.
        ("x6", "BAK-001", RewardStatus.READY, ()),
    ],
)
def test_a_product_sharing_no_word_with_the_reward_is_to_check(
    name: str, raw: str, status: RewardStatus, unrelated: tuple[str, ...]
) -> None:
    check = check_reward("r", name, raw, INDEX)
    assert (check.status, check.unrelated_skus) == (status, unrelated)


def test_the_reason_answering_the_warning_comes_first_and_every_reason_stays() -> None:
    check = check_reward("r", "Macarons x6", "BAK-001", INDEX)
    reasons = reasons_for(check)
    assert reasons[0] is ReviewReason.PRODUCT_INTENDED
    assert sorted(r.value for r in reasons) == sorted(r.value for r in REASON_LABELS)
    empty = check_reward("r", "Atelier", None, INDEX)
    assert reasons_for(empty)[0] is ReviewReason.NOT_A_PRODUCT


def test_the_row_names_the_product_and_offers_product_intended_first_with_none_selected(
    fetch: Fetch,
) -> None:
    page = html.unescape(
        fetch(
            reward("rew_macarons", "Macarons x6", "BAK-001"),
            reward("rew_partner", "Café offert", "ZLT-88213,LS_4471"),
        )
    )
    row = row_of(page, "rew_macarons")
    text = text_of(row)
    assert "To check" in text
    assert "→ Croissant" in text
    assert "“Macarons x6” and “Croissant” share no word" in text
    options = re.findall(r'<option value="([^"]*)"( selected)?>', row)
    assert options[0] == ("", " selected")
    assert options[1] == ("product_intended", "")
    assert not any(selected for value, selected in options if value)
    other = re.findall(r'<option value="([^"]*)"', row_of(page, "rew_partner"))
    assert other[:2] == ["", "other_partner"]


def test_a_review_without_a_reason_is_refused(merchant_client: FlaskClient, fetch: Fetch) -> None:
    fetch(reward("rew_macarons", "Macarons x6", "BAK-001"))
    answer = merchant_client.post(
        "/rewards/rew_macarons/review",
        data={"csrf_token": csrf_token(merchant_client, "/rewards"), "reason": "", "version": ""},
        follow_redirects=True,
    )
    page = answer.get_data(as_text=True)
    assert "Choose a reason." in page
    assert "Mark as reviewed" in row_of(page, "rew_macarons")
