"""Merchants connected to the sandbox's demo Pongo account, a local SMTP server, the worker."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from flask import Flask
from sqlalchemy import update

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.drift import SyncState
from portal.sandbox import DEMO_FIXTURE
from portal.sandbox.server import RunningSandbox
from tests.conftest import DEMO_LOGIN, make_app

POS_ADMIN = "https://pos.example.com/admin/loyalty"


@dataclass
class Mailbox:
    """What the local SMTP server received."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802  # aiosmtpd's hook name
        """Keep each message received."""
        content = envelope.original_content or b""
        self.messages.append(message_from_bytes(content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        """The messages sent to one address."""
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on 127.0.0.1, the peer the portal's smtplib talks to."""
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.fixture
def app(database_url: str, sandbox: RunningSandbox, mailbox: tuple[Mailbox, int]) -> Flask:
    """The portal talking to the sandbox and mailing through the local SMTP server."""
    return make_app(
        database_url,
        pongo_base_url=sandbox.url,
        mail_smtp_url=f"smtp://127.0.0.1:{mailbox[1]}",
        mail_from_address="Pongo portal <portal@pos.example.com>",
    )


def run_sync(app: Flask) -> str:
    """`portal sync-worker --once`, as an operator runs it."""
    result = app.test_cli_runner().invoke(args=["sync-worker", "--once"])
    assert result.exit_code == 0, result.output
    return str(result.output)


def make_due(app: Flask) -> None:
    """Move every merchant's next sync to now, as if the interval had passed."""
    with app.app_context():
        db.session.execute(update(SyncState).values(next_sync_at=utcnow()))
        db.session.commit()


def demo_account() -> dict[str, Any]:
    """The demo account of the sandbox's fixture."""
    fixture = json.loads(DEMO_FIXTURE.read_text())
    return next(a for a in fixture["accounts"] if a["login"] == DEMO_LOGIN)


def put_stores(pongo: httpx.Client, stores: list[dict[str, Any]]) -> None:
    """Replace the demo account's stores, as the merchant would at Pongo."""
    answer = pongo.put(f"/_sandbox/accounts/{DEMO_LOGIN}/stores", json={"stores": stores})
    assert answer.status_code == 200, answer.text


def put_rewards(pongo: httpx.Client, rewards: list[dict[str, Any]]) -> None:
    """Replace the demo account's rewards, as the merchant would at Pongo."""
    answer = pongo.put(f"/_sandbox/accounts/{DEMO_LOGIN}/rewards", json={"rewards": rewards})
    assert answer.status_code == 200, answer.text
