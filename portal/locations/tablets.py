"""The Pongo tablet of each location: the number orders without a customer carry as `tablet_id`.

Pongo's create-order call takes the id of "the Hey Pongo tablet that should be notified"
(an integer); Pongo's API lists no tablets, so the merchant types the number. It is saved
with the links table, all or nothing, each change audited; clearing the field undoes it.
Verbs flush and never commit: the request owns the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from portal.audit.actor import Actor
from portal.audit.services import record
from portal.extensions import db
from portal.models.locations import Location
from portal.models.merchant import Merchant

# Pongo types the id as an integer; the column is PostgreSQL's INTEGER.
MAX_TABLET = 2**31 - 1
FIELD_PREFIX = "tablet-"


class TabletsRefused(Exception):
    """Some tablet numbers are not valid; nothing was saved. Reasons keyed by location ref."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} tablet(s) refused")


def field_name(ref: str) -> str:
    """The form field holding a location's tablet number."""
    return FIELD_PREFIX + ref


def parse_tablet(raw: str) -> int | None:
    """A tablet number as typed: blank is none; otherwise a whole number from 1 (ValueError)."""
    text = raw.strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        raise ValueError("not a whole number")
    number = int(text)
    if not 1 <= number <= MAX_TABLET:
        raise ValueError("out of range")
    return number


def tablet_choices(data: Mapping[str, object], refs: list[str]) -> dict[str, str]:
    """Location ref -> the tablet number typed, for each row shown with a tablet field."""
    return {ref: str(data[field_name(ref)])[:100] for ref in refs if field_name(ref) in data}


def check_tablets(typed: Mapping[str, str]) -> dict[str, int | None]:
    """Each typed number read; raises TabletsRefused naming every row that is not valid."""
    numbers: dict[str, int | None] = {}
    errors: dict[str, str] = {}
    for ref, raw in typed.items():
        try:
            numbers[ref] = parse_tablet(raw)
        except ValueError:
            errors[ref] = "tablet"
    if errors:
        raise TabletsRefused(errors)
    return numbers


def save_tablets(*, merchant: Merchant, numbers: Mapping[str, int | None], actor: Actor) -> int:
    """Set each location's tablet; audits each change and returns how many changed."""
    if not numbers:
        return 0
    locations = db.session.scalars(
        select(Location).where(Location.merchant_id == merchant.id, Location.ref.in_(numbers))
    )
    changed = 0
    for location in locations:
        new = numbers[location.ref]
        if location.pongo_tablet_id == new:
            continue
        record(
            "location.tablet",
            actor=actor,
            merchant=merchant,
            details={
                "location": location.ref,
                "old_tablet": location.pongo_tablet_id,
                "new_tablet": new,
            },
        )
        location.pongo_tablet_id = new
        changed += 1
    db.session.flush()
    return changed
