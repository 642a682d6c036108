"""SEC-26: untrusted audit text is neutralised and still fits its column once escaped."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models.audit import AuditEvent
from tests.conftest import launch


def test_escaped_control_characters_are_cut_to_the_column(app: Flask, client: FlaskClient) -> None:
    """A 320-character claim of control characters escapes to 1280 characters; 320 are kept."""
    response = launch(client, email="\x01" * 320, name="Camille\r\nMartin")
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "launch"))
        assert event is not None
        assert len(event.actor) == 320
        assert event.actor.startswith("\\x01\\x01")
        assert not any(not c.isprintable() for c in event.actor)
