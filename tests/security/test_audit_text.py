"""SEC-26: untrusted audit text is neutralised and still fits its column once escaped."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.audit.actor import Actor
from portal.audit.services import record
from portal.extensions import db
from portal.models.audit import AuditEvent
from tests.helpers.launch import launch


def test_escaped_control_characters_are_cut_to_the_column(app: Flask) -> None:
    """320 control characters escape to 1,280 characters; the 320 the column holds are kept."""
    with app.test_request_context():
        record(
            "launch",
            actor=Actor("\x01" * 320, "merchant_user", "\r\n" * 200),
            merchant=None,
            details={"user": "\x02" * 5000},
            reason="\x03" * 5000,
        )
        db.session.commit()
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "launch"))
        assert event is not None
        assert len(event.actor) == 320
        assert event.actor.startswith("\\x01\\x01")
        for text in (event.actor, event.impersonator or "", event.reason or ""):
            assert all(c.isprintable() for c in text)


def test_a_launch_claim_of_control_characters_is_refused_before_any_write(
    app: Flask, client: FlaskClient
) -> None:
    """The launch edge refuses such claims outright: nothing reaches the audit log."""
    response = launch(client, email="\x01" * 320, name="Camille\r\nMartin")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id))) == 0
