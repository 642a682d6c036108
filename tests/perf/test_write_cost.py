"""A write transaction changes the rows it is about and no row shared by every writer."""

from __future__ import annotations

from flask import Flask

from tests.helpers.api import Api
from tests.helpers.seed import SMALL, api_key, seed_merchant
from tests.security.snapshot import changes, snapshot


def test_renaming_a_merchant_changes_only_that_merchant_and_its_audit_trail(app: Flask) -> None:
    key = api_key(app)
    seed_merchant(app, key, "M1", SMALL)
    seed_merchant(app, key, "M2", SMALL)
    api = Api(app.test_client(), key)
    before = snapshot(app)
    assert api.put("/merchants/M1", {"name": "Fromagerie Soleil"}).status_code == 200
    changed = changes(before, snapshot(app))
    assert set(changed) == {"merchants", "audit_events"}, sorted(changed)
    # The old and the new version of M1's row: M2's row is untouched.
    assert len(changed["merchants"]) == 2
