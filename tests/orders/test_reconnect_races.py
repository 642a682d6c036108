"""Reconnecting while orders are in flight: a late rejection or a late pause loses nothing."""

from __future__ import annotations

import sys
import threading
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models.connection import PongoConnection
from portal.orders import services
from portal.orders.relay import RelayWorker
from tests.helpers.connect import connect_merchant, consent, start_connect
from tests.helpers.launch import launch
from tests.helpers.orders import (
    OrdersApi,
    created_at_pongo,
    fast_worker,
    order_body,
    order_calls,
    relay_of,
)
from tests.helpers.sandbox import fault, revoke_token


def connection_status(app: Flask) -> str:
    """The merchant's connection status, read fresh."""
    with app.app_context():
        status = db.session.scalar(select(PongoConnection.status))
        assert status is not None
        return status


def test_rejection_of_the_previous_token_after_a_reconnect_flags_nothing(
    api: OrdersApi,
    connected_merchant: str,
    relay_app: Flask,
    pongo: httpx.Client,
    client: FlaskClient,
) -> None:
    api.order(order_body("A"))
    api.order(order_body("B"))

    class ReconnectsMidSend(RelayWorker):
        """Reads the token, then the merchant reconnects before the call reaches Pongo."""

        done = False

        def _access_token(self, merchant_id: int) -> Any:
            token = super()._access_token(merchant_id)
            if not ReconnectsMidSend.done:
                ReconnectsMidSend.done = True
                # The token just read is revoked and a new connection is made: Pongo
                # answers 401 to a call made with the previous token.
                revoke_token(pongo)
                connect_merchant(client, pongo)
            return token

    with fast_worker(relay_app, worker_class=ReconnectsMidSend, settings=None) as worker:
        worker.drain()
    assert ReconnectsMidSend.done
    # The fresh connection is not flagged and no order waits for a reconnection.
    assert connection_status(relay_app) == "connected"
    assert {relay_of(relay_app, ref).status for ref in ("A", "B")} == {"delivered"}
    assert len(created_at_pongo(pongo)) == 2


def test_an_order_paused_while_the_callback_commits_is_sent_after_the_reconnect(
    api: OrdersApi,
    connected_merchant: str,
    relay_app: Flask,
    pongo: httpx.Client,
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api.order(order_body("A"))
    revoke_token(pongo)
    with fast_worker(relay_app) as worker:
        worker.drain()
        assert connection_status(relay_app) == "needs_reconnection"
        # The merchant approves on Pongo; the callback is about to reach the portal.
        launch(client)
        back = urlsplit(consent(pongo, start_connect(client)))
        read_connection = services.get_connection
        committed: list[bool] = []

        def callback_commits_meanwhile(merchant: Any) -> Any:
            found = read_connection(merchant)
            # Right after the order's own reading of the connection (the one its
            # paused state follows), the callback commits the new connection.
            if not committed and sys._getframe(1).f_code.co_name == "accept_order":
                # In its own thread: its own request, session and transaction.
                callback = threading.Thread(
                    target=lambda: committed.append(
                        client.get(f"{back.path}?{back.query}").status_code == 302
                    )
                )
                callback.start()
                callback.join(timeout=30)
            return found

        monkeypatch.setattr(services, "get_connection", callback_commits_meanwhile)
        assert api.order(order_body("B")).json["status"] == "paused"
        monkeypatch.undo()
        assert committed == [True]
        assert connection_status(relay_app) == "connected"
        worker.drain()
    # No order stays paused while the connection is connected.
    assert {relay_of(relay_app, ref).status for ref in ("A", "B")} == {"delivered"}


def test_a_refused_permission_waits_for_the_reconnection_without_calling_again(
    api: OrdersApi,
    connected_merchant: str,
    relay_app: Flask,
    pongo: httpx.Client,
    client: FlaskClient,
) -> None:
    api.order(order_body("A"))
    fault(pongo, status=403, count=1)
    with fast_worker(relay_app) as worker:
        worker.drain()
        assert relay_of(relay_app, "A").status == "paused"
        # The connection asks for a reconnection, so the order is not resumed and sent
        # again (and refused again) on every round.
        assert connection_status(relay_app) == "needs_reconnection"
        for _ in range(3):
            worker.run_once()
        assert order_calls(pongo) == 1
        connect_merchant(client, pongo)
        worker.drain()
    assert relay_of(relay_app, "A").status == "delivered"
