"""The links table's rows, written in Python: every value from a POS, Pongo or a form is escaped."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import Markup

from portal.locations.markup import link_rows, version_fields
from portal.locations.pages import LocationsPage, PageLocation, Row
from portal.locations.states import LinkState
from portal.locations.stores import Store
from portal.locations.suggest import Suggestion
from tests.helpers.api import Api
from tests.helpers.launch import launch
from tests.helpers.locations import ALICE_CLAIMS, push_alice

HOSTILE = "<b>\"Bar\" & 'Grill'</b>"
ESCAPED = "&lt;b&gt;&#34;Bar&#34; &amp; &#39;Grill&#39;&lt;/b&gt;"


def location(ref: str, **fields: object) -> PageLocation:
    """A location as the page reads it, active and unlinked unless told otherwise."""
    values: dict[str, object] = {
        "ref": ref,
        "name": HOSTILE,
        "address": HOSTILE,
        "city": HOSTILE,
        "postal_code": HOSTILE,
        "archived_at": None,
        "store_slug": None,
        "store_name_at_link": None,
        "no_store_at": None,
        "pongo_tablet_id": None,
        "link_version": 0,
    }
    return PageLocation(**(values | fields))


def page(rows: list[Row], free: list[Store]) -> LocationsPage:
    """A page of these rows among these free stores."""
    return LocationsPage(
        rows=rows,
        free_stores=free,
        page=1,
        pages=1,
        total=len(rows),
        query="",
        inactive=False,
        active_count=len(rows),
        inactive_count=0,
        synced_at=datetime(2026, 1, 1, tzinfo=UTC),
        store_count=len(free),
    )


def test_hostile_location_values_are_escaped_on_the_page(client: FlaskClient, api: Api) -> None:
    push_alice(
        api,
        [{"ref": "L1", "name": HOSTILE, "address": HOSTILE, "city": HOSTILE, "postal_code": "7"}],
    )
    launch(client, **ALICE_CLAIMS)
    text = client.get("/locations").get_data(as_text=True)
    assert HOSTILE not in text
    assert f'<span class="location-name">{ESCAPED}</span>' in text
    assert f"L1 · {ESCAPED}</span>" in text
    assert f"Pongo store for {ESCAPED}</label>" in text


def test_refused_rows_escape_their_messages_choices_and_typed_tablets(app: Flask) -> None:
    hostile_store = Store("s<1>", HOSTILE, HOSTILE, None, None)
    refused = Row(
        location=location("L<1>", store_slug="gone<slug>", store_name_at_link=HOSTILE),
        state=LinkState.ORPHANED,
        store=None,
        chosen="typed<slug>",
        pending=True,
        error="conflict",
        drawn="gone<slug>",
        shown="typed<slug>",
    )
    suggested = Row(
        location=location("L2"),
        state=LinkState.UNLINKED,
        store=None,
        suggestion=Suggestion(hostile_store.slug, 87),
        suggested=hostile_store,
    )
    with app.test_request_context():
        rows = str(
            link_rows(
                page([refused, suggested], [hostile_store]),
                badge=Markup("<i>{}</i>").format,
                guard=Markup(""),
                errors={"L<1>": "Refused <now>"},
                tablet_errors={"L<1>": "bad"},
                typed_tablets={"L<1>": "12<3>"},
            )
        )
        fields = str(version_fields([refused, suggested]))
    for raw in (HOSTILE, "<1>", "<slug>", "<now>", "<3>"):
        assert raw not in rows
    assert 'id="row-L&lt;1&gt;"' in rows
    assert "Store gone&lt;slug&gt; is no longer at Pongo." in rows
    assert "gone&lt;slug&gt; (no longer at Pongo)</option>" in rows
    assert '<option value="typed&lt;slug&gt;" selected>typed&lt;slug&gt;</option>' in rows
    assert "Refused &lt;now&gt; Now: gone&lt;slug&gt;.</p>" in rows
    assert 'value="12&lt;3&gt;"' in rows
    assert f'<span class="store-name">{ESCAPED}</span>' in rows
    assert "87 % match" in rows
    assert "<i>orphaned</i>" in rows
    assert "<i>unlinked</i>" in rows
    assert fields.startswith('<input type="hidden" name="ref" value="L&lt;1&gt;">')
