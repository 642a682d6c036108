"""Launch links as the POS back-end makes them, for the demo panel and `portal launch-url`."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask_babel import gettext, ngettext
from sqlalchemy import select

from portal import config
from portal.config import Settings
from portal.entry.tokens import sign_launch_token
from portal.extensions import db
from portal.models.merchant import Merchant
from portal.pos_status.services import read_summary
from portal.pos_status.summary import NEEDS_RECONNECTION, NOT_CONNECTED, Summary

DEMO_USER = {"email": "owner@example.com", "name": "Camille Martin"}


def launch_url(
    settings: Settings,
    merchant: Merchant,
    *,
    target: str | None = None,
    locale: str | None = None,
    email: str = DEMO_USER["email"],
    name: str = DEMO_USER["name"],
) -> str:
    """A freshly signed launch URL for a merchant."""
    extra: dict[str, str] = {
        "return_url": f"{settings.pos_admin_origin.rstrip('/')}/demo/pos-admin"
    }
    if target:
        extra["target"] = target
    if locale:
        extra["locale"] = locale
    token = sign_launch_token(
        settings.launch.secret,
        issuer=settings.launch.issuer,
        merchant_ref=merchant.ref,
        merchant_name=merchant.name,
        email=email,
        name=name,
        extra=extra,
    )
    return f"{settings.base_url.rstrip('/')}/launch?{urlencode({'token': token})}"


@dataclass(frozen=True)
class ButtonBadge:
    """What the POS admin panel's Pongo button says beside its label."""

    tone: str
    text: str


def button_badge(summary: Summary) -> ButtonBadge | None:
    """The badge a POS draws from the merchant's summary; None when nothing needs them."""
    if summary.connection == NEEDS_RECONNECTION:
        return ButtonBadge("danger", gettext("Pongo needs reconnecting"))
    if summary.connection == NOT_CONNECTED:
        return ButtonBadge("info", gettext("Set up"))
    if summary.things_to_do:
        text = ngettext("%(num)d thing needs you", "%(num)d things need you", summary.things_to_do)
        return ButtonBadge("warning", text)
    if summary.setup_percent < 100:
        return ButtonBadge("info", gettext("Set up"))
    return None


@dataclass(frozen=True)
class DemoMerchant:
    """A merchant row of the demo POS admin panel with its buttons."""

    name: str
    ref: str
    links: dict[str, str]
    badge: ButtonBadge | None = None


def demo_launch_links() -> list[DemoMerchant]:
    """Every merchant with launch links for each page, in English and French, and its badge.

    A real panel reads the badge's summary from `GET /api/v1/merchants/<ref>/summary`; this
    one, served by the portal itself, calls the function behind that route.
    """
    settings = config.current()
    merchants = db.session.scalars(select(Merchant).order_by(Merchant.name)).all()
    return [
        DemoMerchant(
            name=m.name,
            ref=m.ref,
            links={
                "settings": launch_url(settings, m, target="connection", locale=m.locale),
                "locations": launch_url(settings, m, target="locations", locale=m.locale),
                "rewards": launch_url(settings, m, target="rewards", locale=m.locale),
                "fr": launch_url(settings, m, locale="fr"),
                "en": launch_url(settings, m, locale="en"),
            },
            badge=button_badge(read_summary(m)[0]),
        )
        for m in merchants
    ]
