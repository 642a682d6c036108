"""Staff second factor in Chromium: passkeys through the virtual authenticator (CDP), and the
set-up, recovery-code and confirmation pages at every size with axe-core."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, CDPSession, Page, expect
from sqlalchemy import select

from portal.extensions import db
from portal.models.audit import AuditEvent
from portal.models.staff import StaffPasskey
from tests.browser.conftest import (
    VIEWPORTS,
    Findings,
    LiveServer,
    axe_context,
    axe_violations,
    screenshot,
    serve,
    sideways_overflow,
)
from tests.helpers.apps import make_app
from tests.helpers.ports import free_port
from tests.helpers.staff import AGENT, PASSWORD, add_staff, current_code

pytestmark = pytest.mark.browser

NEWCOMER = "robin@pos.example"


@pytest.fixture
def portal(database_url: str) -> Iterator[LiveServer]:
    """The portal at http://localhost:PORT, its configured public URL (the passkeys' origin).

    Passkeys need a host name: WebAuthn refuses an IP address as the relying party.
    """
    port = free_port()
    app = make_app(database_url, base_url=f"http://localhost:{port}")
    add_staff(app, NEWCOMER, authenticator=False)
    yield from serve(app, port, host="localhost")


def virtual_authenticator(page: Page) -> tuple[CDPSession, str]:
    """A platform authenticator with user verification, through the DevTools protocol."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, str(added["authenticatorId"])


def password_step(page: Page, base: str, email: str = NEWCOMER) -> None:
    page.goto(f"{base}/support/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def actions(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_passkey_is_set_up_then_signs_in(portal: LiveServer, browser: Browser) -> None:
    context = axe_context(browser)
    page = context.new_page()
    cdp, authenticator = virtual_authenticator(page)
    password_step(page, portal.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your second factor")
    page.get_by_role("button", name="Create a passkey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    screenshot(page, "support-passkey-recovery-codes")
    page.get_by_role("link", name="I saved them, continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merchants")
    with portal.app.app_context():
        [key] = db.session.scalars(select(StaffPasskey)).all()
        first_count = key.sign_count

    page.get_by_role("button", name="Sign out").click()
    password_step(page, portal.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    page.get_by_role("button", name="Use my passkey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merchants")
    with portal.app.app_context():
        [key] = db.session.scalars(select(StaffPasskey)).all()
        assert key.sign_count > first_count
        assert key.last_used_at is not None
    assert actions(portal.app) == [
        "staff.factor.passkey_added",
        "staff.signin.passkey",
        "staff.signin.passkey",
    ]

    # The authenticator loses its credential: the passkey fails, the page says so and stays.
    page.get_by_role("button", name="Sign out").click()
    cdp.send("WebAuthn.clearCredentials", {"authenticatorId": authenticator})
    password_step(page, portal.url)
    page.get_by_role("button", name="Use my passkey").click()
    expect(page.locator(".passkey-error")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    assert page.evaluate("fetch('/support/').then(r => r.url)").endswith("/support/login")
    context.close()


def test_a_passkey_answer_for_another_origin_is_refused(
    portal: LiveServer, browser: Browser
) -> None:
    """The same portal reached by its IP address is another origin: no passkey is kept."""
    context = axe_context(browser)
    page = context.new_page()
    virtual_authenticator(page)
    other = portal.url.replace("localhost", "127.0.0.1")
    password_step(page, other)
    page.get_by_role("button", name="Create a passkey").click()
    expect(page.locator(".passkey-error, .flash-error").first).to_be_visible()
    with portal.app.app_context():
        assert db.session.scalars(select(StaffPasskey)).all() == []
    context.close()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_second_factor_pages_pass_axe_at_every_size(
    portal: LiveServer, browser: Browser, size: str
) -> None:
    context = axe_context(browser, size)
    page = context.new_page()
    virtual_authenticator(page)
    findings = Findings(size)

    password_step(page, portal.url)
    expect(page.get_by_role("button", name="Create a passkey")).to_be_visible()
    findings.check(page, "support-factor-setup")
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.locator(".field-errors")).to_contain_text("Enter the code")
    findings.check(page, "support-factor-setup-error")
    page.get_by_role("button", name="Create a passkey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    findings.check(page, "support-recovery-codes")
    page.get_by_role("button", name="Sign out").click()
    password_step(page, portal.url)
    expect(page.get_by_role("button", name="Use my passkey")).to_be_visible()
    findings.check(page, "support-factor-verify")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("That did not work")
    findings.check(page, "support-factor-verify-error")
    context.close()
    findings.assert_clean()


def test_the_set_up_page_shows_the_qr_code_and_the_link(
    portal: LiveServer, browser: Browser
) -> None:
    context = axe_context(browser, "phone")
    page = context.new_page()
    password_step(page, portal.url)
    qr = page.get_by_role("img", name=re.compile("QR code"))
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None
    assert box["width"] >= 200  # large enough to scan from a phone's screen
    expect(page.locator(".totp-uri")).to_contain_text("otpauth://totp/")
    context.close()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_an_app_user_adds_a_passkey_later(portal: LiveServer, browser: Browser, size: str) -> None:
    """Signed in with the app's code, a staff member adds a passkey and then signs in with it."""
    add_staff(portal.app, AGENT)
    context = axe_context(browser, size)
    page = context.new_page()
    virtual_authenticator(page)
    password_step(page, portal.url, AGENT)
    page.get_by_label("Code").fill(current_code())
    page.get_by_role("button", name="Confirm", exact=True).click()
    page.get_by_role("link", name=re.compile("Your second factor")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your second factor")
    expect(page.get_by_role("button", name="Create a passkey")).to_be_visible()
    screenshot(page, f"support-factor-manage-{size}")
    assert axe_violations(page) == []
    assert sideways_overflow(page) == 0
    page.get_by_role("button", name="Create a passkey").click()
    expect(page.get_by_role("status").first).to_contain_text("Your passkey is registered.")
    expect(page.locator("main")).to_contain_text("1 passkey")
    page.get_by_role("button", name="Sign out").click()
    password_step(page, portal.url, AGENT)
    page.get_by_role("button", name="Use my passkey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merchants")
    context.close()
