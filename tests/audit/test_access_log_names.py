"""The access log names locations, stores and the portal's own work as people know them."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.audit.actor import SYSTEM, merchant_user
from portal.audit.services import record
from portal.extensions import db
from portal.models.locations import Location, PongoStore
from portal.models.merchant import Merchant
from tests.helpers.launch import launch


def sentences(page: str) -> str:
    """The log's lines as text, without the technical details under them."""
    log = re.search(r'<ul class="access-log">(.*?)</ul>', page, re.S)
    assert log, "no access log on the page"
    text = re.sub(r"<details.*?</details>", "", log.group(1), flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)))


def test_location_and_store_codes_read_as_names(app: Flask, client: FlaskClient) -> None:
    launch(client)
    with app.app_context():
        merchant = db.session.scalar(select(Merchant))
        assert merchant is not None
        db.session.add_all(
            [
                Location(merchant_id=merchant.id, ref="L-LAB", name="Laboratoire central"),
                Location(merchant_id=merchant.id, ref="L-LYO", name="Lyon Presqu’île"),
                PongoStore(merchant_id=merchant.id, slug="lumiere-lyon-2", name="Lumière Lyon 2"),
            ]
        )
        owner = merchant_user("owner@example.com")
        record("location.no_store", actor=owner, merchant=merchant, details={"location": "L-LAB"})
        details = {"location": "L-LYO", "old": None, "new": "lumiere-lyon-2"}
        record("location.link", actor=owner, merchant=merchant, details=details)
        record("stores.refresh", actor=SYSTEM, merchant=merchant, details={"stores": 6})
        db.session.commit()

    page = client.get("/access-log").get_data(as_text=True)
    said = sentences(page)
    assert "“Laboratoire central” as having no Pongo store" in said
    assert "Pongo store of “Lyon Presqu’île” from — to “Lumière Lyon 2”" in said
    assert "The portal's automatic check fetched 6 Pongo store(s)." in said
    for code in ("L-LAB", "L-LYO", "lumiere-lyon-2", "system "):
        assert code not in said
    assert "<summary>Technical details</summary><code>L-LYO, lumiere-lyon-2</code>" in page


def test_a_location_gone_since_keeps_its_code(app: Flask, client: FlaskClient) -> None:
    launch(client)
    with app.app_context():
        merchant = db.session.scalar(select(Merchant))
        details = {"location": "L-OLD"}
        record("location.no_store", actor=SYSTEM, merchant=merchant, details=details)
        db.session.commit()
    said = sentences(client.get("/access-log").get_data(as_text=True))
    assert "“L-OLD” as having no Pongo store" in said


def test_a_review_reason_reads_as_words(app: Flask, client: FlaskClient) -> None:
    launch(client, extra={"locale": "fr"})
    with app.app_context():
        merchant = db.session.scalar(select(Merchant))
        details = {"name": "Cappuccino offert", "reason": "paid_options_charged"}
        owner = merchant_user("owner@example.com")
        record("reward.review", actor=owner, merchant=merchant, details=details)
        db.session.commit()
    said = sentences(client.get("/access-log").get_data(as_text=True))
    assert "paid_options_charged" not in said
    assert "(Les options payantes sont encaissées en caisse)" in said, said
