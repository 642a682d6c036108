"""Every audit action recorded anywhere is registered and has a sentence in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale

from portal.audit.actions import ACTIONS, UnknownAuditAction, describe, unregistered
from portal.audit.actor import SYSTEM
from portal.audit.services import record
from portal.models.audit import AuditEvent

ROOT = Path(__file__).resolve().parents[2] / "portal"
# record("key", ...) and record_now("key", ...), and the keys chosen by a conditional.
CALL = re.compile(r"\brecord(?:_now)?\(\s*\"([a-z_.]+)\"")
KEY = re.compile(r"\"(support\.view\.[a-z_]+)\"")


def recorded_keys() -> set[str]:
    """The action keys written by a call in the portal's source."""
    keys: set[str] = set()
    for path in ROOT.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        keys |= set(CALL.findall(text))
        if "record(\n        action," in text:
            keys |= set(KEY.findall(text))
    return keys


def test_the_scan_finds_the_actions_of_every_area() -> None:
    keys = recorded_keys()
    assert {"launch", "location.link", "order.retry", "support.view.end"} <= keys
    assert {"support.view.expired", "pongo.connect", "products.replace"} <= keys


def test_every_recorded_action_is_registered() -> None:
    assert unregistered(recorded_keys()) == set()


@pytest.mark.parametrize("key", sorted(ACTIONS))
def test_every_action_has_a_sentence_in_english_and_french(app: Flask, key: str) -> None:
    event = AuditEvent(
        action=key, actor="ana@example.com", impersonator="sam@vendor.example", details={}
    )
    with app.test_request_context():
        with force_locale("en"):
            english = describe(event)
        with force_locale("fr"):
            french = describe(event)
    assert key not in english
    assert "%(" not in english
    assert "%(" not in french
    assert french != english


def test_details_fill_the_sentence_and_missing_ones_read_as_unknown(app: Flask) -> None:
    event = AuditEvent(
        action="location.link",
        actor="ana@example.com",
        details={"location": "L1", "old": None, "new": "paris-1"},
    )
    with app.test_request_context(), force_locale("en"):
        assert describe(event) == (
            "ana@example.com changed the Pongo store of “L1” from — to paris-1."
        )
        event.details = {}
        assert "of “?” from ? to ?" in describe(event)


def test_recording_an_unregistered_action_is_refused(app: Flask) -> None:
    with app.app_context(), pytest.raises(UnknownAuditAction):
        record("nobody.knows", actor=SYSTEM, merchant=None)
