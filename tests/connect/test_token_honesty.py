"""Pongo documents no refresh grant: the portal refreshes only what it was given, and any
refusal leaves the merchant "needs reconnection", never a 5xx, never a second try."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import ConnectionStatus, PongoConnection
from portal.pongo import NeedsReconnection, Unavailable, endpoints
from portal.pongo.merchant import MerchantPongo
from tests.helpers.connect import (
    connect_merchant,
    connection_of,
    expire_locally,
    expired_with_refresh,
    status_of,
    token_calls,
)
from tests.helpers.sandbox import DEMO_LOGIN
from tests.helpers.shop import allow_refresh

MERCHANT_PAGES = ("/", "/connect/", "/locations", "/rewards", "/orders", "/products")


def assert_needs_reconnection_everywhere(app: Flask, client: Any) -> None:
    """The connection is flagged, and every merchant page says so without failing."""
    assert status_of(app) == ConnectionStatus.NEEDS_RECONNECTION
    for path in MERCHANT_PAGES:
        page = client.get(path)
        assert page.status_code == 200, path
    assert "Reconnect Pongo" in client.get("/connect/").get_data(as_text=True)


def connected_then_refused(app: Flask, pongo: httpx.Client, fault: dict[str, Any]) -> Any:
    """Connect with a refresh token, script a token-endpoint fault, let the token expire."""
    connected = expired_with_refresh(app, pongo, at_pongo=None)
    fault = {"path": endpoints.TOKEN.path, "method": "POST", **fault}
    assert pongo.post("/_sandbox/faults", json=fault).status_code == 201
    return connected


def calls_after_flag(app: Flask, merchant_id: int) -> None:
    """Three more calls: each ends in NeedsReconnection at once."""
    with app.app_context():
        for _ in range(3):
            with pytest.raises(NeedsReconnection):
                MerchantPongo(merchant_id).rewards()


def test_token_without_refresh_token_expires_into_reconnection(
    pongo_app: Flask, pongo: httpx.Client
) -> None:
    """Default sandbox: no refresh token is handed out, none is asked for, expiry = reconnect."""
    client = pongo_app.test_client()
    connect_merchant(client, pongo)
    with pongo_app.app_context():
        stored = db.session.scalar(select(PongoConnection.refresh_token_encrypted))
    assert stored is None
    pongo.post("/_sandbox/tokens/expire", json={"login": DEMO_LOGIN})
    merchant_id = expire_locally(pongo_app)
    before = token_calls(pongo)
    calls_after_flag(pongo_app, merchant_id)
    assert token_calls(pongo) == before
    assert_needs_reconnection_everywhere(pongo_app, client)


def test_refresh_token_refused_by_a_pongo_without_refresh_grant(
    pongo_app: Flask, pongo: httpx.Client
) -> None:
    """A refresh token once given, then the grant refused: one refresh call, then reconnect."""
    client, merchant_id = expired_with_refresh(pongo_app, pongo, at_pongo=None)
    allow_refresh(pongo, enabled=False)
    before = token_calls(pongo)
    calls_after_flag(pongo_app, merchant_id)
    assert token_calls(pongo) - before == 1
    row = connection_of(pongo_app)
    assert row is not None
    assert row.problem == "Pongo refused the token refresh (HTTP 400)"
    assert_needs_reconnection_everywhere(pongo_app, client)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, {"error": "unsupported_grant_type"}),
        (400, "<html>Bad Request</html>"),
        (401, {"message": "Unauthenticated."}),
        (403, None),
        (404, {"message": "The route v1/oauth/token could not be found."}),
        (405, []),
        (422, {"message": "The given data was invalid.", "errors": {"grant_type": ["x"]}}),
    ],
)
def test_any_refused_refresh_ends_in_reconnection(
    pongo_app: Flask, pongo: httpx.Client, status: int, body: Any
) -> None:
    """Any 4xx, whatever its body, on the refresh: reconnect, no 5xx, no retry loop."""
    client, merchant_id = connected_then_refused(pongo_app, pongo, {"status": status, "body": body})
    before = token_calls(pongo)
    calls_after_flag(pongo_app, merchant_id)
    assert token_calls(pongo) - before == 1
    assert_needs_reconnection_everywhere(pongo_app, client)


def test_pongo_down_during_a_refresh_is_not_a_reconnection(
    pongo_app: Flask, pongo: httpx.Client
) -> None:
    """A 503 on the refresh is Pongo being unavailable: the connection stays, to try later."""
    _client, merchant_id = connected_then_refused(pongo_app, pongo, {"status": 503})
    with pongo_app.app_context():
        with pytest.raises(Unavailable) as caught:
            MerchantPongo(merchant_id).rewards()
        assert not isinstance(caught.value, NeedsReconnection)
        assert status_of(pongo_app) == ConnectionStatus.CONNECTED
        # Pongo back: the same refresh token works.
        assert MerchantPongo(merchant_id).rewards()
