"""The demo's POS receiver checks signatures like a real one and lists what it got."""

from __future__ import annotations

import time

import httpx

from portal.demo.receiver import PATH, start_receiver
from portal.pos_status.signature import HEADER, sign

SECRET = "demo-secret-0123456789abcdef0123456789"
BODY = (
    b'{"id":"evt_1","type":"merchant.status_changed","merchant":"M<1>",'
    b'"occurred_at":"2026-12-06T07:00:00Z","summary":{"connection":"connected"}}'
)


def test_the_receiver_takes_signed_events_refuses_others_and_lists_them() -> None:
    running, inbox = start_receiver(SECRET)
    try:
        with httpx.Client(base_url=running.url) as http:
            forged = sign(["another-secret"], int(time.time()), BODY)
            assert http.post(PATH, content=BODY, headers={HEADER: forged}).status_code == 400
            assert inbox.refused == 1
            good = {HEADER: sign([SECRET], int(time.time()), BODY)}
            assert http.post(PATH, content=BODY, headers=good).status_code == 204
            inbox.down = True
            assert http.post(PATH, content=BODY, headers=good).status_code == 503
            page = http.get("/").text
    finally:
        running.close()
    [got] = inbox.listed()
    assert got.deliveries == 1
    assert "evt_1" in page
    assert "M&lt;1&gt;" in page  # what the receiver shows is escaped
