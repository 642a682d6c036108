"""Once a Products page exists, a reward with only other systems' SKUs links to a search there."""

from __future__ import annotations

import html

from tests.helpers.rewards import Fetch, reward, row_of


def test_reward_with_only_other_systems_skus_links_to_its_product_search(fetch: Fetch) -> None:
    page = fetch(
        reward("rew_partner", "Café & croissant", "ZLT-88213,LS_4471"),
        reward("rew_typo", "Croissant", "bak 001"),
    )
    partner = row_of(page, "rew_partner")
    assert 'href="/products?q=Caf%C3%A9+%26+croissant"' in partner
    assert "Find the SKU of “Café &amp; croissant” in your products" in partner
    # A typo has its own fix; the search link is for rewards with nothing of this POS.
    assert "/products?q=" not in html.unescape(row_of(page, "rew_typo"))
