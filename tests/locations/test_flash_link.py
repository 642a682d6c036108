"""A refresh without a connection says so and links to the Connection page."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.helpers.launch import launch
from tests.helpers.pages import csrf_token


def test_refresh_without_a_connection_links_to_the_connection_page(client: FlaskClient) -> None:
    launch(client)
    token = csrf_token(client, "/locations")
    page = client.post(
        "/locations/refresh", data={"csrf_token": token}, follow_redirects=True
    ).get_data(as_text=True)
    flash = page[page.index("Connect your Pongo account first.") :]
    flash = flash[: flash.index("</div>")]
    assert 'href="/connect/"' in flash
    assert "Go to the Connection page" in flash
