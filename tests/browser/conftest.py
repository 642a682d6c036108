"""Browser fixtures: the portal served over HTTP and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from werkzeug.serving import make_server

from portal.sandbox import DEMO_FIXTURE
from portal.sandbox.server import RunningSandbox, start_sandbox
from tests.helpers.api import Api, new_key
from tests.helpers.apps import make_app
from tests.helpers.connect import connect_merchant
from tests.helpers.launch import launch_token
from tests.helpers.orders import OrdersApi, linked_portal
from tests.helpers.ports import free_port
from tests.helpers.rewards import push_catalogue, refresh

CHROMIUM = "/usr/bin/chromium"
# The sizes every page is tried at: a phone, a tablet and a laptop.
VIEWPORTS = {"phone": (390, 844), "tablet": (820, 1180), "laptop": (1366, 768)}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# Flags that keep Chromium off the network it cannot reach here (and quiet about it).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class LiveServer:
    """A WSGI app served on a free local port in a background thread."""

    url: str
    app: Flask
    stop: threading.Event


def serve(app: Flask, port: int = 0, host: str = "127.0.0.1") -> Iterator[LiveServer]:
    """Serve `app` on 127.0.0.1 until the generator is closed; `host` names it in the URL."""
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://{host}:{server.server_port}", app, threading.Event())
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def live_portal(app: Flask) -> Iterator[LiveServer]:
    """The portal served over real HTTP."""
    yield from serve(app)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make chromium` installs Debian's package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (its own cookies) and page, laptop-sized."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(params=list(VIEWPORTS))
def sized(request: pytest.FixtureRequest, browser: Browser) -> Iterator[tuple[str, Page]]:
    """A page at each of the three sizes."""
    width, height = VIEWPORTS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield request.param, page
    context.close()


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


_AXE = Axe()


def axe_violations(page: Page) -> list[str]:
    """axe-core's findings on the page as shown now, one line each (rule, impact, where)."""
    results = _AXE.run(page)
    found = []
    for violation in results.response["violations"]:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]][:3]
        found.append(f"{violation['id']} ({violation['impact']}): {', '.join(targets)}")
    return found


def assert_accessible(page: Page) -> None:
    """Fail on any axe-core violation of the page as shown now."""
    found = axe_violations(page)
    assert not found, f"{page.url}: " + "; ".join(found)


def assert_readable(page: Page) -> None:
    """Fail when the page as shown now scrolls sideways or breaks an axe-core rule."""
    assert sideways_overflow(page) == 0
    assert_accessible(page)


def axe_context(browser: Browser, size: str = "laptop") -> BrowserContext:
    """A fresh browser at one of the three sizes (CSP bypassed only so that axe can be injected)."""
    width, height = VIEWPORTS[size]
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="en-GB", bypass_csp=True
    )
    context.set_default_timeout(10_000)
    return context


@dataclass
class Findings:
    """What axe-core and the window's width found on each page checked at one size, by name."""

    size: str
    violations: dict[str, list[str]] = field(default_factory=dict)
    overflow: dict[str, int] = field(default_factory=dict)

    def check(self, page: Page, name: str) -> None:
        """Note the page as shown now under `name`, and save its screenshot."""
        page.wait_for_load_state()
        screenshot(page, f"{name}-{self.size}")
        self.violations[name] = axe_violations(page)
        self.overflow[name] = sideways_overflow(page)

    def assert_clean(self) -> None:
        """Fail naming every page that scrolls sideways or breaks an axe-core rule."""
        assert {name: px for name, px in self.overflow.items() if px} == {}
        failing = {name: rules for name, rules in self.violations.items() if rules}
        assert not failing, "\n".join(f"{name}: {'; '.join(r)}" for name, r in failing.items())


def enter(page: Page, base_url: str, **claims: Any) -> None:
    """Enter the portal from the POS admin panel's link (`claims` as for `launch_token`)."""
    page.goto(f"{base_url}/launch?token={launch_token(**claims)}")


def at_every_size(page: Page, url: str) -> Iterator[str]:
    """Open `url` at a phone's, a tablet's and a laptop's size in turn; yields each size."""
    for size, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url)
        yield size


def sideways_overflow(page: Page) -> int:
    """How many pixels the page scrolls sideways (0 when it fits the window)."""
    width: int = page.evaluate(
        "Math.max(0, document.scrollingElement.scrollWidth - window.innerWidth)"
    )
    return width


def primaries_in_view(page: Page) -> int:
    """How many solid (primary-looking) buttons of the page are visible in the window now."""
    count: int = page.evaluate(
        """() => [...document.querySelectorAll('main .button:not(.button-ghost)')].filter((e) => {
             const r = e.getBoundingClientRect();
             return r.width > 0 && r.bottom > 0 && r.top < window.innerHeight;
           }).length"""
    )
    return count


@contextmanager
def demo_site(
    database_url: str, prepare: Callable[[RunningSandbox], None]
) -> Iterator[tuple[str, RunningSandbox]]:
    """The portal in demo mode on a known port, beside a sandbox that whitelists its callback.

    ``prepare`` runs in the app's context before serving, to load what the test needs.
    """
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
            prepare(sandbox)
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield base, sandbox
        finally:
            server.shutdown()
            thread.join(timeout=5)


@pytest.fixture
def orders_portal(
    database_url: str, sandbox: RunningSandbox, pongo: httpx.Client
) -> tuple[Flask, OrdersApi]:
    """A portal relaying orders, M1 connected with L1 and L2 linked; its POS API."""
    return linked_portal(database_url, sandbox.url, pongo)


@pytest.fixture
def synced(app: Flask, pongo: httpx.Client) -> None:
    """Merchant M1 connected to the demo Pongo account, catalogue pushed, rewards fetched."""
    client = app.test_client()
    connect_merchant(client, pongo)
    push_catalogue(Api(app.test_client(), new_key(app)))
    refresh(client)
