"""A check that every kept location tally equals the merchant's locations counted afresh."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import delete, select

from portal.extensions import db
from portal.locations import tally
from portal.models.locations import LocationTally


def stale_tallies(app: Flask) -> dict[int, dict[str, tuple[object, object]]]:
    """Each merchant whose kept tally differs from a fresh count: {field: (kept, counted)}."""
    stale = {}
    with app.app_context():
        for merchant_id in db.session.scalars(select(LocationTally.merchant_id)).all():
            kept = tally.read(merchant_id)
            db.session.execute(
                delete(LocationTally).where(LocationTally.merchant_id == merchant_id)
            )
            counted = tally.read(merchant_id)
            db.session.rollback()
            differences = {
                key: (kept[key], counted[key]) for key in kept if kept[key] != counted[key]
            }
            if differences:
                stale[merchant_id] = differences
        db.session.remove()
    return stale
