"""Only a valid launch replaces a session; a refused one leaves the browser's session alone."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers.launch import launch
from tests.helpers.staff import add_merchant, add_staff, sign_in, start_view

GARBAGE = ["garbage", "", "a.b.c"]


@pytest.mark.parametrize("token", GARBAGE)
def test_refused_launch_keeps_the_merchant_signed_in(client: FlaskClient, token: str) -> None:
    assert launch(client).status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/launch", query_string={"token": token}).status_code in (400, 401)
    assert client.get("/").status_code == 200


def test_refused_launch_keeps_a_support_view_open(app: Flask) -> None:
    add_staff(app, "alex@pos.example")
    add_merchant(app, "M1", "Boulangerie Lumière")
    client = app.test_client()
    assert sign_in(client, "alex@pos.example").status_code == 302
    assert start_view(client).status_code == 302
    assert client.get("/launch?token=garbage").status_code in (400, 401)
    page = client.get("/")
    assert page.status_code == 200
    assert "alex@pos.example" in page.get_data(as_text=True)  # the view's banner is still there
    assert client.get("/support/").status_code == 200


def test_refused_launch_keeps_staff_signed_in(app: Flask) -> None:
    add_staff(app, "alex@pos.example")
    client = app.test_client()
    assert sign_in(client, "alex@pos.example").status_code == 302
    assert client.get("/launch?token=garbage").status_code in (400, 401)
    assert client.get("/support/").status_code == 200
