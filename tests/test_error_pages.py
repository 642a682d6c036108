"""Error pages keep the layout and always offer a way on."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.helpers.launch import launch


def test_not_found_while_signed_in_links_back_to_the_overview(client: FlaskClient) -> None:
    launch(client, extra={"return_url": "https://pos.example.com/admin"})
    page = client.get("/no-such-page")
    body = page.get_data(as_text=True)
    assert page.status_code == 404
    assert '<header class="site-header">' in body
    assert 'href="/">Back to the overview</a>' in body
    assert 'href="https://pos.example.com/admin">Back to POS admin</a>' in body


def test_not_found_without_a_session_says_how_to_get_back_in(client: FlaskClient) -> None:
    page = client.get("/no-such-page")
    body = page.get_data(as_text=True)
    assert page.status_code == 404
    assert '<header class="site-header">' in body
    assert "Open the portal again from your POS admin panel." in body
    assert "Back to the overview" not in body


def test_sign_in_needed_says_how_to_get_back_in_once(client: FlaskClient) -> None:
    page = client.get("/locations")
    body = page.get_data(as_text=True)
    assert page.status_code == 401
    assert body.count("Open the portal again from your POS admin panel.") == 1
