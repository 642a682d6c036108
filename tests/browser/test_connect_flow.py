"""A newcomer's path in a real browser: POS admin panel → launch → connect Pongo → connected."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from portal.entry.services import upsert_merchant
from portal.extensions import db
from portal.sandbox import DEMO_FIXTURE
from portal.sandbox.server import RunningSandbox, start_sandbox
from tests.browser.conftest import screenshot
from tests.conftest import DEMO_LOGIN, DEMO_PASSWORD, make_app

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def demo_site(database_url: str) -> Iterator[tuple[str, RunningSandbox]]:
    """The portal in demo mode on a known port, and a sandbox that whitelists its callback."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    fixture: dict[str, Any] = json.loads(Path(DEMO_FIXTURE).read_text())
    for client in fixture["clients"]:
        if client["client_id"] == "portal-demo":
            client["redirect_uris"].append(f"{base}/connect/callback")
    with start_sandbox(fixture, controls=True) as sandbox:
        app = make_app(
            database_url,
            demo=True,
            base_url=base,
            pos_admin_origin=base,
            pongo_base_url=sandbox.url,
            pongo_redirect_uri=f"{base}/connect/callback",
        )
        with app.app_context():
            upsert_merchant(ref="LUMIERE", name="Boulangerie Lumière").locale = "fr"
            db.session.commit()
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield base, sandbox
        finally:
            server.shutdown()
            thread.join(timeout=5)


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
    demo_site: tuple[str, RunningSandbox], page: Page, button: str, texts: dict[str, str]
) -> None:
    base, _ = demo_site
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
