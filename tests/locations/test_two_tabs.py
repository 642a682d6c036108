"""Two pages of one session saving the links table: neither undoes the other's rows."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from portal.locations.states import NO_STORE
from tests.helpers.api import Api
from tests.helpers.locations import accept_suggestions, drawn_rows, post_links, stores
from tests.helpers.pages import csrf_token


def draw(client: FlaskClient) -> dict[str, tuple[str, str]]:
    """Open the Locations page in a tab: each row's link and version as drawn."""
    return drawn_rows(client.get("/locations").get_data(as_text=True))


def selected(html: str, ref: str) -> str:
    """The value selected in a row's store list."""
    row = html.split(f'id="row-{ref}"', 1)[1].split("</tr>", 1)[0]
    found = re.search(r'<option value="([^"]*)"[^>]*selected', row)
    assert found, f"nothing selected in row {ref}"
    return found.group(1)


def test_a_stale_tab_saving_another_row_keeps_the_first_tabs_change(
    shop_client: FlaskClient, api: Api
) -> None:
    token = csrf_token(shop_client, "/locations")
    tab_a, tab_b = draw(shop_client), draw(shop_client)
    # Tab A marks the warehouse as having no Pongo store.
    answer = post_links(shop_client, token, {"L1": "", "L2": "", "L3": NO_STORE}, tab_a)
    assert answer.status_code == 302
    # Tab B, drawn before, links Paris and sends every row as it shows them.
    answer = post_links(shop_client, token, {"L1": "alice-paris", "L2": "", "L3": ""}, tab_b)
    assert answer.status_code == 302
    assert stores(api)["L3"] == ("none", None)
    assert stores(api)["L1"][1] == "alice-paris"
    page = shop_client.get("/locations").get_data(as_text=True)
    assert "Links saved: 1 changed." in page


def test_a_row_changed_in_both_tabs_is_not_overwritten_and_shows_its_link_now(
    shop_client: FlaskClient, api: Api
) -> None:
    token = csrf_token(shop_client, "/locations")
    tab_a, tab_b = draw(shop_client), draw(shop_client)
    post_links(shop_client, token, {"L1": "", "L2": "", "L3": NO_STORE}, tab_a)
    answer = post_links(
        shop_client, token, {"L1": "alice-paris", "L2": "", "L3": "alice-lyon"}, tab_b
    )
    assert answer.status_code == 409
    page = answer.get_data(as_text=True)
    assert "Changed elsewhere since this page was opened" in page
    assert "Now: No Pongo store." in page
    # The row shows its link as it is now; the other row keeps the merchant's unsaved choice.
    assert selected(page, "L3") == NO_STORE
    assert selected(page, "L1") == "alice-paris"
    assert stores(api)["L3"] == ("none", None)
    assert stores(api)["L1"][1] is None
    # Saving again from the page drawn with the conflict saves the choice kept.
    redrawn = drawn_rows(page)
    answer = post_links(
        shop_client, token, {"L1": "alice-paris", "L2": "", "L3": NO_STORE}, redrawn
    )
    assert answer.status_code == 302
    assert stores(api)["L1"][1] == "alice-paris"
    assert stores(api)["L3"] == ("none", None)


def test_a_row_changed_in_both_tabs_to_the_same_link_is_no_conflict(
    shop_client: FlaskClient, api: Api
) -> None:
    token = csrf_token(shop_client, "/locations")
    tab_a, tab_b = draw(shop_client), draw(shop_client)
    post_links(shop_client, token, {"L3": NO_STORE}, tab_a)
    assert post_links(shop_client, token, {"L3": NO_STORE}, tab_b).status_code == 302
    assert stores(api)["L3"] == ("none", None)


def test_accepting_suggestions_from_a_stale_tab_leaves_rows_changed_since(
    shop_client: FlaskClient, api: Api
) -> None:
    token = csrf_token(shop_client, "/locations")
    tab_b = draw(shop_client)
    post_links(shop_client, token, {"L1": NO_STORE})
    drawn = {ref: version for ref, (_, version) in tab_b.items()}
    answer = accept_suggestions(shop_client, token, "1", drawn, follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert "1 row changed elsewhere since this page was opened: it was left as it is now." in page
    assert stores(api)["L1"] == ("none", None)
    assert stores(api)["L2"][1] == "alice-lyon"
