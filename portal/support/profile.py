"""What a support agent needs on the phone with a merchant: language, contact, places, orders."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import defer

from portal.extensions import db
from portal.i18n import LOCALES
from portal.models.drift import SyncState
from portal.models.locations import Location, PongoStore
from portal.models.merchant import Merchant
from portal.models.orders import Order, OrderRelay

# The support page lists this many of the merchant's latest orders.
RECENT_ORDERS = 5


@dataclass(frozen=True)
class PlaceRow:
    """One active POS location and the Pongo store it is linked to (by name)."""

    name: str
    store: str | None
    no_store: bool


@dataclass(frozen=True)
class OrderRow:
    """One recent order: when it was sold, where, for how much, and how far it went."""

    order: Order
    status: str
    location: str


@dataclass(frozen=True)
class MerchantProfile:
    """The merchant's language, who launched the portal last, its locations and latest orders."""

    language: str | None
    contact: str | None
    places: list[PlaceRow] = field(default_factory=list)
    orders: list[OrderRow] = field(default_factory=list)


def merchant_profile(merchant: Merchant) -> MerchantProfile:
    """Gather the support page's facts about one merchant."""
    state = db.session.get(SyncState, merchant.id)
    locale = merchant.locale or (state.launch_locale if state else None)
    stores = dict(
        db.session.execute(
            select(PongoStore.slug, PongoStore.name).where(PongoStore.merchant_id == merchant.id)
        ).all()
    )
    locations = db.session.scalars(
        select(Location)
        .where(Location.merchant_id == merchant.id, Location.archived_at.is_(None))
        .order_by(Location.name, Location.id)
    ).all()
    names = {location.ref: location.name for location in locations}
    places = [
        PlaceRow(
            name=location.name,
            store=stores.get(location.store_slug, location.store_slug)
            if location.store_slug
            else None,
            no_store=location.no_store_at is not None,
        )
        for location in locations
    ]
    recent = db.session.execute(
        select(Order, OrderRelay.status)
        .join(OrderRelay, OrderRelay.order_id == Order.id)
        .where(Order.merchant_id == merchant.id)
        .options(defer(Order.payload))
        .order_by(Order.received_at.desc(), Order.id.desc())
        .limit(RECENT_ORDERS)
    ).all()
    orders = [
        OrderRow(
            order=order, status=status, location=names.get(order.location_ref, order.location_ref)
        )
        for order, status in recent
    ]
    return MerchantProfile(
        language=LOCALES.get(locale or "", locale),
        contact=state.launch_email if state else None,
        places=places,
        orders=orders,
    )
