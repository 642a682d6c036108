"""Two merchants on the sandbox's demo Pongo account, changes made there, and the sync worker."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import httpx
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.drift import DriftChange, SyncState
from portal.models.merchant import Merchant
from portal.sandbox import DEMO_FIXTURE
from tests.helpers.api import Api
from tests.helpers.connect import connect_merchant
from tests.helpers.rewards import push_catalogue, set_rewards
from tests.helpers.sandbox import DEMO_LOGIN

POS_ADMIN = "https://pos.example.com/admin/loyalty"
OWNER = "owner@example.com"
CHEF = "chef@cafe-nord.example"


def connect_two_merchants(app: Flask, pongo: httpx.Client, api: Api) -> tuple[FlaskClient, ...]:
    """M1 (English, two linked locations) and M2 (French), both on the demo Pongo account."""
    first, second = app.test_client(), app.test_client()
    connect_merchant(first, pongo, extra={"return_url": POS_ADMIN})
    push_catalogue(api)
    connect_merchant(
        second,
        pongo,
        merchant_ref="M2",
        merchant_name="Café Nord",
        email=CHEF,
        extra={"locale": "fr", "return_url": POS_ADMIN + "?m=M2"},
    )
    return first, second


def changes_of(app: Flask, ref: str) -> list[tuple[str, str]]:
    """(kind, subject) of every change recorded for a merchant, in order."""
    with app.app_context():
        rows = db.session.execute(
            select(DriftChange.kind, DriftChange.subject)
            .join(Merchant, Merchant.id == DriftChange.merchant_id)
            .where(Merchant.ref == ref)
            .order_by(DriftChange.id)
        )
        return list(rows)


def run_sync(app: Flask) -> str:
    """`portal sync-worker --once`, as an operator runs it."""
    result = app.test_cli_runner().invoke(args=["sync-worker", "--once"])
    assert result.exit_code == 0, result.output
    return str(result.output)


def make_due(app: Flask) -> None:
    """Move every merchant's next sync to now, as if the interval had passed."""
    with app.app_context():
        db.session.execute(update(SyncState).values(next_sync_at=utcnow()))
        db.session.commit()


def demo_account() -> dict[str, Any]:
    """The demo account of the sandbox's fixture."""
    fixture = json.loads(DEMO_FIXTURE.read_text())
    return next(a for a in fixture["accounts"] if a["login"] == DEMO_LOGIN)


def change_stores(
    pongo: httpx.Client,
    *,
    gone: Collection[str] = (),
    renamed: Mapping[str, str] | None = None,
    new: Sequence[dict[str, Any]] = (),
) -> None:
    """Change the demo account's stores at Pongo, as its merchant would: by slug, `gone` ones
    deleted and `renamed` ones given a new name, then the `new` ones added."""
    names = renamed or {}
    stores = [
        {**store, "name": names.get(store["slug"], store["name"])}
        for store in demo_account()["stores"]
        if store["slug"] not in gone
    ]
    answer = pongo.put(f"/_sandbox/accounts/{DEMO_LOGIN}/stores", json={"stores": [*stores, *new]})
    assert answer.status_code == 200, answer.text


def change_skus(pongo: httpx.Client, skus: Mapping[str, str]) -> None:
    """Give some of the demo account's rewards other SKUs at Pongo (public id -> SKUs)."""
    rewards = [
        {**reward, "external_id": skus.get(reward["public_id"], reward["external_id"])}
        for reward in demo_account()["rewards"]
    ]
    set_rewards(pongo, rewards)
