"""The merchant directory: search, problem filters and health at a glance."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.support.problems import PROBLEMS


def _rows(client: FlaskClient, **query: str) -> str:
    response = client.get("/support/", query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def listed(page: str) -> list[str]:
    """The names of the merchants the directory lists, in its order."""
    return re.findall(r'<a href="/support/merchants/[^"]+">([^<]+)</a>', page)


def test_directory_lists_every_merchant_with_its_connection_state(agent: FlaskClient) -> None:
    body = _rows(agent)
    assert "✔</span> Connected" in body
    assert "⚠</span> Needs reconnection" in body
    assert "○</span> Not connected" in body


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ({}, {"Boulangerie Lumière", "Café Tropique", "Épicerie Nord"}),
        ({"q": "tropique"}, {"Café Tropique"}),
        ({"q": "M3"}, {"Épicerie Nord"}),
        ({"q": "lumière pongo"}, {"Boulangerie Lumière"}),
        ({"q": "%"}, set()),
        ({"q": "_"}, set()),
        ({"problem": "not_connected"}, {"Épicerie Nord"}),
        ({"problem": "needs_reconnection", "q": "café"}, {"Café Tropique"}),
        ({"problem": "no-such-problem"}, {"Boulangerie Lumière", "Café Tropique", "Épicerie Nord"}),
    ],
)
def test_search_and_problem_filters_find_the_right_merchants(
    agent: FlaskClient, query: dict[str, str], found: set[str]
) -> None:
    """Name, reference and Pongo account are searched, wildcards are text, problems filter."""
    body = _rows(agent, **query)
    assert set(listed(body)) == found
    assert f"Merchants found: {len(found)}" in body


def test_problem_filters_come_from_the_registry(agent: FlaskClient) -> None:
    assert {"not_connected", "needs_reconnection"} <= set(PROBLEMS)
    body = _rows(agent)
    for item in PROBLEMS.values():
        assert f'value="{item.key}"' in body


def test_disconnected_merchant_counts_as_not_connected(staffed: Flask, agent: FlaskClient) -> None:
    from tests.helpers.staff import add_merchant

    add_merchant(staffed, "M4", "Fromagerie Sud", status="disconnected")
    body = _rows(agent, problem="not_connected")
    assert "Fromagerie Sud" in body
    assert "○</span> Disconnected" in body


def test_merchant_card_shows_health_but_no_token(staffed: Flask, agent: FlaskClient) -> None:
    from tests.helpers.staff import add_merchant

    add_merchant(
        staffed,
        "M5",
        "Crêperie Ouest",
        status="connected",
        account_name="Ouest",
        access_token_encrypted="gAAAA-cipher-text",
    )
    body = agent.get("/support/merchants/M5").get_data(as_text=True)
    assert "Crêperie Ouest" in body
    assert "Connected" in body
    assert "gAAAA-cipher-text" not in body
    assert agent.get("/support/merchants/NOPE").status_code == 404


def test_directory_pages_through_many_merchants(staffed: Flask, agent: FlaskClient) -> None:
    from tests.helpers.staff import add_merchant

    for number in range(30):
        add_merchant(staffed, f"B{number:02d}", f"Bistro {number:02d}")
    first = _rows(agent, q="bistro")
    assert "Page 1 of 2" in first
    assert "Bistro 24" in first
    assert "Bistro 25" not in first
    second = _rows(agent, q="bistro", page="2")
    assert "Bistro 29" in second


def test_location_problems_filter_the_directory(staffed: Flask, agent: FlaskClient) -> None:
    from portal.extensions import db
    from portal.models import Location, PongoStore, StoreSync
    from portal.models.base import utcnow
    from tests.helpers.staff import add_merchant

    unlinked = add_merchant(staffed, "M5", "Boucherie Est")
    orphaned = add_merchant(staffed, "M6", "Primeur Ouest")
    with staffed.app_context():
        db.session.add(Location(merchant_id=unlinked, ref="L1", name="Est"))
        db.session.add(Location(merchant_id=orphaned, ref="L1", name="Ouest", store_slug="gone"))
        db.session.add(Location(merchant_id=orphaned, ref="L2", name="Ouest 2", store_slug="here"))
        db.session.add(PongoStore(merchant_id=orphaned, slug="here", name="Here"))
        db.session.add(StoreSync(merchant_id=orphaned, synced_at=utcnow(), store_count=1))
        db.session.commit()
    assert listed(_rows(agent, problem="unlinked_locations")) == ["Boucherie Est"]
    assert listed(_rows(agent, problem="orphaned_locations")) == ["Primeur Ouest"]


def test_a_location_marked_without_pongo_store_is_not_an_unlinked_problem(
    staffed: Flask, agent: FlaskClient
) -> None:
    from portal.extensions import db
    from portal.models import Location
    from portal.models.base import utcnow
    from tests.helpers.staff import add_merchant

    kitchen = add_merchant(staffed, "M7", "Traiteur Nord")
    with staffed.app_context():
        db.session.add(
            Location(merchant_id=kitchen, ref="K1", name="Cuisine", no_store_at=utcnow())
        )
        db.session.commit()
    assert "Traiteur Nord" not in _rows(agent, problem="unlinked_locations")
