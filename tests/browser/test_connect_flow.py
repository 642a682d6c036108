"""A newcomer's path in a real browser: POS admin panel → launch → connect Pongo → connected."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from portal.entry.services import upsert_merchant
from portal.extensions import db
from portal.sandbox.server import RunningSandbox
from tests.browser.conftest import demo_site, screenshot
from tests.helpers.sandbox import DEMO_LOGIN, DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def lumiere_site(database_url: str) -> Iterator[tuple[str, RunningSandbox]]:
    """The demo portal with Boulangerie Lumière (French) and nothing else."""

    def prepare(_sandbox: RunningSandbox) -> None:
        upsert_merchant(ref="LUMIERE", name="Boulangerie Lumière").locale = "fr"
        db.session.commit()

    with demo_site(database_url, prepare) as served:
        yield served


@pytest.mark.parametrize(
    ("button", "texts"),
    [
        (
            "Open in English",
            {
                "connect": "Connect Pongo",
                "connected": "Connected",
                "back": "Back to POS admin",
            },
        ),
        (
            "Ouvrir en français",
            {
                "connect": "Connecter Pongo",
                "connected": "Connecté",
                "back": "Retour à l’administration de la caisse",
            },
        ),
    ],
)
def test_newcomer_connects_pongo_from_the_pos_admin_panel(
    lumiere_site: tuple[str, RunningSandbox], page: Page, button: str, texts: dict[str, str]
) -> None:
    base, _ = lumiere_site
    page.goto(f"{base}/demo/pos-admin")
    page.get_by_role("link", name=button).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Boulangerie Lumière")
    language = "fr" if "français" in button else "en"
    page.get_by_role("navigation").get_by_role("link").nth(1).click()
    page.get_by_role("button", name=texts["connect"]).click()

    # On Pongo's own pages (the sandbox): sign in, then approve.
    page.get_by_label("E-mail").fill(DEMO_LOGIN)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("reward.read")).to_be_visible()
    page.get_by_role("button", name="Approve").click()

    status = page.locator("#connection-status")
    expect(status).to_contain_text(texts["connected"])
    expect(page.locator("main")).to_contain_text(DEMO_LOGIN)
    expect(page.get_by_role("link", name=texts["back"])).to_be_visible()
    screenshot(page, f"connected-{language}")
