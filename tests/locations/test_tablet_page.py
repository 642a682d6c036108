"""The Locations page's Pongo tablet field: saved with the links, audited, undone by clearing."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Location
from tests.helpers.api import Api
from tests.helpers.launch import launch
from tests.helpers.locations import ALICE_CLAIMS, post_links
from tests.helpers.pages import csrf_token

LINKS = {"L1": "alice-paris", "L2": "alice-lyon"}


def tablets(app: Flask) -> dict[str, int | None]:
    with app.app_context():
        rows = db.session.execute(select(Location.ref, Location.pongo_tablet_id)).all()
    return dict(rows)


def save(client: FlaskClient, **tablet_fields: str) -> object:
    fields = {f"tablet-{ref}": value for ref, value in tablet_fields.items()}
    return post_links(client, csrf_token(client, "/locations"), LINKS, **fields)


def test_linked_rows_offer_a_labelled_tablet_field(shop_client: FlaskClient) -> None:
    post_links(shop_client, csrf_token(shop_client, "/locations"), LINKS)
    page = shop_client.get("/locations").get_data(as_text=True)
    assert page.count('name="tablet-') == 2  # L1 and L2 are linked, L3 is not
    assert '<label for="tablet-1">Pongo tablet</label>' in page
    assert 'aria-describedby="tablet-hint"' in page
    assert "ask Pongo for the number" in page


def test_tablet_is_saved_with_the_links_audited_and_read_by_the_pos(
    shop_client: FlaskClient, app: Flask, api: Api
) -> None:
    answer = save(shop_client, L1="4021", L2="")
    assert answer.status_code == 302  # type: ignore[attr-defined]
    assert tablets(app) == {"L1": 4021, "L2": None, "L3": None}
    located = api.get("/merchants/M1/locations").json["locations"]
    assert {x["ref"]: x["pongo_tablet_id"] for x in located} == {"L1": 4021, "L2": None, "L3": None}
    # Undone by clearing the field; both changes are in the log, old and new.
    save(shop_client, L1="", L2="")
    assert tablets(app)["L1"] is None
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "location.tablet").order_by(AuditEvent.id)
        ).all()
        assert [(e.details["old_tablet"], e.details["new_tablet"]) for e in events] == [
            (None, 4021),
            (4021, None),
        ]
    log = shop_client.get("/access-log").get_data(as_text=True)
    assert "changed the Pongo tablet of “Alice Paris” from 4021 to —." in log


def test_a_bad_tablet_refuses_the_whole_save_and_keeps_what_was_typed(
    shop_client: FlaskClient, app: Flask
) -> None:
    answer = save(shop_client, L1="4021", L2="tablet two")
    assert answer.status_code == 422  # type: ignore[attr-defined]
    page = answer.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "number, a whole number from 1, or leave it empty." in page
    assert 'value="tablet two"' in page
    assert 'aria-invalid="true"' in page
    # Nothing saved: neither the tablets nor the links.
    assert tablets(app) == {"L1": None, "L2": None, "L3": None}
    with app.app_context():
        assert db.session.scalar(select(Location.store_slug).where(Location.ref == "L1")) is None


def test_the_field_and_its_hint_in_french(shop_client: FlaskClient) -> None:
    post_links(shop_client, csrf_token(shop_client, "/locations"), LINKS)
    launch(shop_client, **ALICE_CLAIMS, extra={"locale": "fr"})
    page = shop_client.get("/locations").get_data(as_text=True)
    assert '<label for="tablet-1">Tablette Pongo</label>' in page
    assert "demandez ce numéro à Pongo" in page
