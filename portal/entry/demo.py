"""Launch links as the POS back-end makes them, for the demo panel and `portal launch-url`."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import select

from portal import config
from portal.config import Settings
from portal.entry.tokens import sign_launch_token
from portal.extensions import db
from portal.models.merchant import Merchant

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
class DemoMerchant:
    """A merchant row of the demo POS admin panel with its buttons."""

    name: str
    ref: str
    links: dict[str, str]


def demo_launch_links() -> list[DemoMerchant]:
    """Every merchant with launch links for each page, in English and French."""
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
        )
        for m in merchants
    ]
