"""A tiny POS back-end for the demo: it receives the portal's events and lists them.

It checks each event's `Portal-Signature` as a real receiver must, answers 204, and shows
what it got at `/` (newest first, with how many times each id arrived). `down` makes it
answer 503; `lose_answers` makes it keep that many events but answer 500, as when an
answer is lost on the way back: the portal then delivers them again with the same id.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, request
from markupsafe import escape
from werkzeug.serving import make_server

from portal.pos_status.signature import HEADER, InvalidSignature, verify
from portal.sandbox.server import HOST, RunningSandbox, _QuietRequestHandler

PATH = "/events"


@dataclass
class Received:
    """One event id as the receiver got it: its last body and how many times it came."""

    event: dict[str, Any]
    deliveries: int = 1


@dataclass
class Inbox:
    """What the receiver got, in arrival order of each id's first delivery."""

    secret: str
    down: bool = False
    lose_answers: int = 0
    events: dict[str, Received] = field(default_factory=dict)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, event: dict[str, Any]) -> Received:
        """Keep an event; a redelivered id counts once more."""
        with self.lock:
            seen = self.events.get(str(event["id"]))
            if seen is None:
                seen = self.events[str(event["id"])] = Received(event)
            else:
                seen.event = event
                seen.deliveries += 1
            return seen

    def listed(self) -> list[Received]:
        """Every event id received, newest first."""
        with self.lock:
            return list(reversed(self.events.values()))


def create_receiver(inbox: Inbox, echo: Callable[[str], None] = lambda _: None) -> Flask:
    """The receiver's WSGI app: POST /events takes events, GET / lists them."""
    app = Flask("pos_receiver")

    @app.post(PATH)
    def receive() -> Response:
        if inbox.down:
            return Response("down for a while", status=503)
        body = request.get_data(cache=False)
        try:
            verify(inbox.secret, request.headers.get(HEADER, ""), body, now=time.time())
        except InvalidSignature as refused:
            inbox.refused += 1
            return Response(f"refused: {refused}", status=400)
        event = json.loads(body)
        seen = inbox.take(event)
        summary = event.get("summary", {})
        echo(
            f" * POS receiver: {event['type']} {event['merchant']}: {summary.get('connection')},"
            f" {summary.get('setup_percent')} % set up"
            f" (delivery {seen.deliveries} of {event['id']})"
        )
        if inbox.lose_answers > 0:
            inbox.lose_answers -= 1
            return Response("answer lost", status=500)
        return Response(status=204)

    @app.get("/")
    def listing() -> Response:
        rows = "".join(
            f"<li><code>{escape(r.event['id'])}</code> {escape(r.event['merchant'])}"
            f" {escape(r.event['occurred_at'])}: {escape(json.dumps(r.event['summary']))}"
            f" ({r.deliveries} deliveries)</li>"
            for r in inbox.listed()
        )
        page = (
            '<!doctype html><html lang="en"><meta charset="utf-8"><title>POS receiver</title>'
            f"<h1>Events received</h1><ul>{rows or '<li>None yet.</li>'}</ul></html>"
        )
        return Response(page, mimetype="text/html")

    return app


def start_receiver(
    secret: str, *, port: int = 0, echo: Callable[[str], None] = lambda _: None
) -> tuple[RunningSandbox, Inbox]:
    """Serve a receiver from a background thread; port 0 picks a free port."""
    inbox = Inbox(secret=secret)
    app = create_receiver(inbox, echo)
    server = make_server(HOST, port, app, threaded=True, request_handler=_QuietRequestHandler)
    return RunningSandbox(app, server), inbox
