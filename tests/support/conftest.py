"""A support agent and a support admin viewing merchant M1 on an app with new-feature routes."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers.pages import csrf_token
from tests.helpers.routes import add_feature_routes
from tests.helpers.staff import ADMIN, sign_in, start_view


@pytest.fixture
def guarded(staffed: Flask) -> Flask:
    """The staffed app plus routes added the way new features would add them."""
    add_feature_routes(staffed)
    return staffed


@pytest.fixture
def viewer(guarded: Flask) -> FlaskClient:
    """A support agent viewing merchant M1, read-only."""
    client = guarded.test_client()
    sign_in(client)
    start_view(client)
    return client


@pytest.fixture
def writer(guarded: Flask) -> FlaskClient:
    """A support admin viewing merchant M1 in write mode."""
    client = guarded.test_client()
    sign_in(client, ADMIN)
    start_view(client)
    token = csrf_token(client, "/support/view/write")
    client.post("/support/view/write", data={"reason": "Asked by owner", "csrf_token": token})
    return client
