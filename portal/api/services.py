"""POS API verbs on merchants and locations; they flush, the request commits."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select

from portal.api.errors import InvalidBody, duplicates
from portal.api.schemas import LocationIn, LocationOut, MerchantIn, ReplaceCounts
from portal.audit.actor import Actor
from portal.audit.services import record
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.locations import Location
from portal.models.merchant import Merchant

_LOCATION_FIELDS = ("name", "address", "city", "postal_code", "country")


def find_merchant(ref: str) -> Merchant | None:
    """The merchant with this POS reference, if the portal knows it."""
    return db.session.scalar(select(Merchant).where(Merchant.ref == ref))


def lock_merchant(merchant: Merchant) -> None:
    """Serialise full replacements of one merchant's data (a no-op on SQLite, which locks all)."""
    db.session.execute(select(Merchant.id).where(Merchant.id == merchant.id).with_for_update())


def put_merchant(*, ref: str, body: MerchantIn, actor: Actor) -> tuple[Merchant, bool]:
    """Create the merchant or update its name and locale; True when it was created."""
    merchant = find_merchant(ref)
    created = merchant is None
    if merchant is None:
        merchant = Merchant(
            ref=ref, name=body.name, locale=body.locale, currency=body.currency or "EUR"
        )
        db.session.add(merchant)
    else:
        merchant.name = body.name
        if body.locale is not None:
            merchant.locale = body.locale
        if body.currency is not None:
            merchant.currency = body.currency
    db.session.flush()
    record(
        "merchant.put",
        actor=actor,
        merchant=merchant,
        details={"ref": ref, "name": body.name, "created": created},
    )
    return merchant, created


def replace_locations(
    *, merchant: Merchant, incoming: list[LocationIn], actor: Actor
) -> ReplaceCounts:
    """Make the merchant's locations exactly these: new ones added, missing ones archived."""
    problems = duplicates((item.ref for item in incoming), "locations")
    if problems:
        raise InvalidBody(problems)
    lock_merchant(merchant)
    existing = {
        location.ref: location
        for location in db.session.scalars(
            select(Location).where(Location.merchant_id == merchant.id)
        )
    }
    now = utcnow()
    created = updated = unchanged = archived = 0
    for item in incoming:
        values = {field: getattr(item, field) for field in _LOCATION_FIELDS}
        location = existing.pop(item.ref, None)
        if location is None:
            db.session.add(Location(merchant_id=merchant.id, ref=item.ref, **values))
            created += 1
            continue
        if location.archived_at is None and all(
            getattr(location, k) == v for k, v in values.items()
        ):
            unchanged += 1
            continue
        for field, value in values.items():
            setattr(location, field, value)
        location.archived_at = None
        updated += 1
    for location in existing.values():
        # Archived, never deleted: its link and its orders' history stay readable.
        if location.archived_at is None:
            location.archived_at = now
            archived += 1
    db.session.flush()
    counts = ReplaceCounts(created=created, updated=updated, archived=archived, unchanged=unchanged)
    record("locations.replace", actor=actor, merchant=merchant, details=counts.model_dump())
    return counts


def pongo_store(location: Location) -> Literal["linked", "unlinked", "none"]:
    """Whether a location is linked, marked as having no Pongo store, or not decided yet."""
    if location.store_slug:
        return "linked"
    return "none" if location.no_store_at else "unlinked"


def list_locations(*, merchant: Merchant) -> list[LocationOut]:
    """Every location of the merchant with its linked store slug, active ones first."""
    locations = db.session.scalars(
        select(Location)
        .where(Location.merchant_id == merchant.id)
        .order_by(Location.archived_at.is_not(None), Location.ref)
    )
    return [
        LocationOut(
            ref=location.ref,
            name=location.name,
            address=location.address,
            city=location.city,
            postal_code=location.postal_code,
            country=location.country,
            active=location.active,
            loyalty_store_slug=location.store_slug,
            pongo_store=pongo_store(location),
            pongo_tablet_id=location.pongo_tablet_id,
        )
        for location in locations
    ]
