"""PUT merchants and locations: create, rename, archive, unarchive, and refuse bad input whole."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from portal.extensions import db
from portal.models.audit import AuditEvent
from portal.models.locations import Location
from portal.models.merchant import Merchant
from tests.helpers.api import Api, locations


def test_put_merchant_creates_then_renames(api: Api, app: Flask) -> None:
    created = api.put("/merchants/M9", {"name": "Chez Paul", "locale": "fr"})
    assert created.status_code == 201
    assert created.json == {"ref": "M9", "name": "Chez Paul", "locale": "fr", "currency": "EUR"}
    renamed = api.put("/merchants/M9", {"name": "Chez Paul et Fils"})
    assert renamed.status_code == 200
    assert renamed.json == {
        "ref": "M9",
        "name": "Chez Paul et Fils",
        "locale": "fr",
        "currency": "EUR",
    }
    with app.app_context():
        actors = db.session.scalars(select(AuditEvent.actor)).all()
        assert actors == ["api-key:pos-backend", "api-key:pos-backend"]


def test_put_merchant_sets_its_currency_and_keeps_it_when_left_out(api: Api) -> None:
    assert api.put("/merchants/M9", {"name": "Chez Paul", "currency": "CHF"}).json["currency"] == (
        "CHF"
    )
    assert api.put("/merchants/M9", {"name": "Chez Paul"}).json["currency"] == "CHF"
    assert api.put("/merchants/M9", {"name": "Chez Paul", "currency": "GBP"}).json["currency"] == (
        "GBP"
    )


def test_put_merchant_refuses_a_currency_babel_does_not_know(api: Api) -> None:
    for wrong in ("eur", "EURO", "XYZ", "E1R", ""):
        answer = api.put("/merchants/M9", {"name": "Chez Paul", "currency": wrong})
        assert answer.status_code == 422, wrong
        assert [e["path"] for e in answer.json["errors"]] == ["currency"]
    assert api.put("/merchants/M9", {"name": "Chez Paul"}).json["currency"] == "EUR"


def test_openapi_documents_the_currency_and_the_expired_status(api: Api) -> None:
    document = api.client.get("/api/v1/openapi.json").get_json()
    text = str(document)
    assert "ISO 4217" in text
    assert "'expired'" in text


def test_unknown_merchant_is_a_json_404(api: Api) -> None:
    for method in ("GET", "PUT"):
        answer = api.call(method, "/merchants/NOBODY/locations", locations("L1"))
        assert answer.status_code == 404
        assert answer.json["message"] == "Unknown merchant."
    assert api.put("/merchants/NOBODY/products", {"products": []}).status_code == 404


def test_wrong_method_is_a_json_405(api: Api) -> None:
    answer = api.call("POST", "/merchants/M1/locations", locations("L1"))
    assert answer.status_code == 405
    assert answer.is_json


def test_oversize_body_is_a_json_413_and_writes_nothing(app: Flask, merchant_api: Api) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 2_000
    answer = merchant_api.put("/merchants/M1/locations", locations(*[f"L{i}" for i in range(100)]))
    assert answer.status_code == 413
    assert answer.is_json
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Location)) == 0


def test_locations_left_out_are_archived_and_come_back_when_sent_again(merchant_api: Api) -> None:
    first = merchant_api.put("/merchants/M1/locations", locations("L1", "L2", "L3"))
    assert first.json == {"created": 3, "updated": 0, "archived": 0, "unchanged": 0}
    second = merchant_api.put("/merchants/M1/locations", locations("L1", "L3"))
    assert second.json == {"created": 0, "updated": 0, "archived": 1, "unchanged": 2}
    listed = merchant_api.get("/merchants/M1/locations").json["locations"]
    assert [(loc["ref"], loc["active"]) for loc in listed] == [
        ("L1", True),
        ("L3", True),
        ("L2", False),
    ]
    third = merchant_api.put("/merchants/M1/locations", locations("L1", "L2", "L3"))
    assert third.json == {"created": 0, "updated": 1, "archived": 0, "unchanged": 2}
    assert all(
        loc["active"] for loc in merchant_api.get("/merchants/M1/locations").json["locations"]
    )


def test_repeating_the_same_push_changes_nothing(merchant_api: Api, app: Flask) -> None:
    body = locations("L1", "L2")
    merchant_api.put("/merchants/M1/locations", body)
    with app.app_context():
        before = db.session.scalars(select(Location.updated_at).order_by(Location.ref)).all()
    again = merchant_api.put("/merchants/M1/locations", body)
    assert again.json == {"created": 0, "updated": 0, "archived": 0, "unchanged": 2}
    with app.app_context():
        assert (
            db.session.scalars(select(Location.updated_at).order_by(Location.ref)).all() == before
        )


def test_every_field_error_is_listed_and_nothing_is_written(merchant_api: Api, app: Flask) -> None:
    body = {
        "locations": [
            {"ref": "L1", "name": "Fine"},
            {"ref": "", "name": "No ref"},
            {"ref": "L3"},
            {"ref": "L4", "name": "Bad country", "country": "France"},
        ]
    }
    answer = merchant_api.put("/merchants/M1/locations", body)
    assert answer.status_code == 422
    paths = sorted(e["path"] for e in answer.json["errors"])
    assert paths == ["locations.1.ref", "locations.2.name", "locations.3.country"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Location)) == 0


def test_duplicate_refs_in_one_body_are_refused(merchant_api: Api) -> None:
    answer = merchant_api.put("/merchants/M1/locations", locations("L1", "L2", "L1"))
    assert answer.status_code == 422
    assert answer.json["errors"] == [
        {"path": "locations.2.ref", "message": "duplicate ref 'L1' (first at locations.0)"}
    ]


def test_invalid_json_and_control_characters_are_422(merchant_api: Api) -> None:
    assert merchant_api.put("/merchants/M1/locations", data="{nope").status_code == 422
    answer = merchant_api.put(
        "/merchants/M1/locations", {"locations": [{"ref": "L\x00", "name": "x"}]}
    )
    assert answer.status_code == 422
    assert answer.json["errors"][0]["path"] == "locations.0.ref"


def test_bad_merchant_body_creates_no_merchant(api: Api, app: Flask) -> None:
    answer = api.put("/merchants/M2", {"name": "", "locale": "de"})
    assert answer.status_code == 422
    assert {e["path"] for e in answer.json["errors"]} == {"name", "locale"}
    with app.app_context():
        assert db.session.scalar(select(Merchant).where(Merchant.ref == "M2")) is None


def test_api_key_is_vendor_wide_and_merchants_stay_apart(api: Api) -> None:
    api.put("/merchants/A", {"name": "A"})
    api.put("/merchants/B", {"name": "B"})
    api.put("/merchants/A/locations", locations("L1"))
    api.put("/merchants/B/locations", locations("L1", "L2"))
    assert [x["ref"] for x in api.get("/merchants/A/locations").json["locations"]] == ["L1"]
    # Replacing A's set never archives B's location of the same ref.
    api.put("/merchants/A/locations", locations())
    assert all(x["active"] for x in api.get("/merchants/B/locations").json["locations"])
