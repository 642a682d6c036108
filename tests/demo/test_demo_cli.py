"""`portal demo-data` loads the demo merchants through the POS API and leaves no key live."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models.api_key import ApiKey
from portal.models.merchant import Merchant


def test_demo_data_loads_the_demo_merchants_and_revokes_its_key(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert "PUT /api/v1/merchants/" in result.output
    with app.app_context():
        refs = set(db.session.scalars(select(Merchant.ref)))
        keys = db.session.scalars(select(ApiKey)).all()
    assert {"LUMIERE", "NONNA"} <= refs
    assert [key.revoked_at is not None for key in keys] == [True]
