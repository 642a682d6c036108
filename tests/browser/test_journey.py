"""The whole journey in a real browser: POS admin panel → "Your Pongo setup is complete".

The demo merchant follows the portal's own guidance: connect, accept the suggested links,
mark the central kitchen "no Pongo store", then deal with every reward the Rewards page
flags. Where the page says the fix is at Pongo, the test makes that change at the sandbox
(standing in for Pongo's back office) and presses "Refresh from Pongo"; the others are
reviewed with the reason that fits. Every click in the portal and on Pongo's pages counts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from portal.demo.loader import load_demo_data
from portal.demo.orders import seed_demo_orders
from portal.demo.sandbox import LUMIERE_LOGIN, PARTNER_REWARD, add_partner_reward
from portal.sandbox import DEMO_FIXTURE
from portal.sandbox.server import RunningSandbox
from tests.browser.conftest import demo_site, screenshot
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

# The fixes the Rewards page points at, made in Pongo's back office: reward -> new SKU list.
# Baguette tradition's typo is not copied from the page's suggestion (the page warns that
# the suggestion is a croissant): the baker types the baguette's own SKU.
FIXED_AT_PONGO = {
    "rew_5e1b7a3d46": "BAK-006",  # Baguette tradition: BAK-0O1 was a typo
    "rew_cf8c4b0ebd": "EPI-05",  # Sac cabas Lumière: had no SKU
}
# Rewards fine as they are, with the reason the page offers that fits each.
REASONS = {
    "rew_4d0a6f2c35": "paid_options_charged",  # Cappuccino: syrups charged at the till
    "rew_6f2c8b4e57": "paid_options_charged",  # breakfast menu
    "rew_7a3d9c5f68": "paid_options_charged",  # lunch menu
    "rew_e1ae6d2adf": "paid_options_charged",  # Flan: its menu has paid options
    "rew_9c5f1e7b8a": "shared_sku_intended",  # Éclair: the giant éclair shares BAK-012
    "rew_d09d5c1fce": "not_a_product",  # a pastry workshop
    "rew_ad6a2f8c9b": "product_intended",  # Macarons x6 on a croissant SKU: the merchant confirms
    PARTNER_REWARD["public_id"]: "other_partner",  # the roaster's kiosk
}


@pytest.fixture
def demo(database_url: str) -> Iterator[tuple[str, str]]:
    """What `make demo` serves: the demo data, Nonna's orders, the demo's sandbox account."""

    def prepare(sandbox: RunningSandbox) -> None:
        load_demo_data()
        add_partner_reward(sandbox.url)
        seed_demo_orders(sandbox.url)

    with demo_site(database_url, prepare) as (base, sandbox):
        yield base, sandbox.url


class Clicks:
    """Counts the merchant's clicks and choices in lists."""

    def __init__(self) -> None:
        self.count = 0

    def click(self, target: Locator) -> None:
        self.count += 1
        target.click()

    def choose(self, target: Locator, value: str) -> None:
        self.count += 1
        target.select_option(value)


def fix_at_pongo(sandbox_url: str, page: Page) -> int:
    """Change the rewards at Pongo as the page advises; returns how many were changed."""
    fixture: dict[str, Any] = json.loads(Path(DEMO_FIXTURE).read_text())
    account = next(a for a in fixture["accounts"] if a["login"] == LUMIERE_LOGIN)
    changed = 0
    updated = []
    for reward in [*account["rewards"], PARTNER_REWARD]:
        public_id = reward["public_id"]
        # Near misses: paste the corrected list the page offers for this reward.
        corrected = page.locator(f"#row-{public_id} .corrected-list input")
        if public_id in FIXED_AT_PONGO:
            reward = {**reward, "external_id": FIXED_AT_PONGO[public_id]}
            changed += 1
        elif corrected.count():
            reward = {**reward, "external_id": corrected.input_value()}
            changed += 1
        updated.append(reward)
    answer = httpx.put(
        f"{sandbox_url}/_sandbox/accounts/{LUMIERE_LOGIN}/rewards", json={"rewards": updated}
    )
    assert answer.status_code == 200
    return changed


@pytest.mark.parametrize(
    ("button", "language", "complete"),
    [
        ("Open in English", "en", "Your Pongo setup is complete"),
        ("Ouvrir en français", "fr", "Votre configuration Pongo est terminée"),
    ],
)
def test_demo_merchant_follows_the_guide_to_a_complete_setup(
    demo: tuple[str, str], page: Page, button: str, language: str, complete: str
) -> None:
    base, sandbox_url = demo
    clicks = Clicks()
    page.goto(f"{base}/demo/pos-admin")
    lumiere = page.get_by_role("row").filter(has_text="Boulangerie Lumière")
    clicks.click(lumiere.get_by_role("link", name=button))
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(".progress")).to_have_attribute("aria-valuenow", "0")
    screenshot(page, f"journey-1-overview-{language}")

    # Step 1: the guide's link opens the Connection page; Pongo's own pages sign in.
    clicks.click(page.locator("#step-connect a"))
    clicks.click(page.locator("form[action$='/connect/start'] button"))
    page.get_by_label("E-mail").fill(LUMIERE_LOGIN)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    clicks.click(page.get_by_role("button", name="Sign in"))
    clicks.click(page.get_by_role("button", name="Approve"))
    next_step = page.locator(".next-step a.button-primary")
    expect(next_step).to_have_count(1)
    expect(page.locator("main .button-primary")).to_have_count(1)
    screenshot(page, f"journey-2-connected-{language}")

    # Step 2: the next action opens the Locations page on the first location to link.
    clicks.click(next_step)
    expect(page.locator("#row-L-BDX")).to_have_class(re.compile(r"\bis-target\b"))
    clicks.click(page.locator("form.accept-form button"))
    kitchen = page.locator("#row-L-LAB")
    expect(kitchen.locator(".badge-warning")).to_be_visible()
    expect(page.locator(".next-step")).to_have_count(0)
    clicks.choose(kitchen.locator("select"), " no-store")
    clicks.click(page.locator("button[type=submit][form=links-form]"))
    expect(kitchen.locator(".badge-neutral")).to_be_visible()
    expect(page.locator("tbody .badge-warning")).to_have_count(0)
    screenshot(page, f"journey-3-locations-{language}")

    # Step 3: the next action opens the Rewards page on the first reward to review.
    clicks.click(page.locator(".next-step a.button-primary"))
    expect(page).to_have_url(f"{base}/rewards#row-rew_2b8e4d0a13")
    assert fix_at_pongo(sandbox_url, page) == 4
    clicks.click(page.locator("form[action$='/rewards/refresh'] button"))
    # What the page still flags after the fixes: each one left to review.
    flagged = page.locator("tr.reward-row:not(.is-reviewed):has(details.review-form)")
    assert sorted(row.get_attribute("id") or "" for row in flagged.all()) == sorted(
        f"row-{public_id}" for public_id in REASONS
    )
    for public_id, reason in REASONS.items():
        row = page.locator(f"#row-{public_id}")
        clicks.click(row.locator("details.review-form summary"))
        clicks.choose(row.locator("select[name=reason]"), reason)
        clicks.click(row.locator("details.review-form button[type=submit]"))
        expect(page.locator(f"#row-{public_id}")).to_have_class(re.compile(r"\bis-reviewed\b"))
    screenshot(page, f"journey-4-rewards-{language}")

    # Done: the Overview says so, and what keeps working.
    clicks.click(page.locator(".side-nav a[href='/']:visible"))
    expect(page.locator(".setup-complete h2")).to_contain_text(complete)
    expect(page.locator(".setup-complete li")).to_have_count(2)
    screenshot(page, f"journey-5-complete-{language}")
    print(f"\njourney clicks ({language}): {clicks.count}")
    # Eight rewards reviewed (three taps each), one of them "Macarons x6" on a croissant SKU.
    assert clicks.count == 36
