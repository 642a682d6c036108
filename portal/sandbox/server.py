"""Run the sandbox over real HTTP: in a background thread for tests, or in the foreground."""

from __future__ import annotations

import pathlib
import threading
import time
from collections.abc import Callable

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from portal.closing import ClosedOnExit
from portal.sandbox import create_sandbox_app
from portal.sandbox.fixture_checks import JSONDict

HOST = "127.0.0.1"


class _QuietRequestHandler(WSGIRequestHandler):
    """Keep a background sandbox from writing a line per request to stderr."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


class RunningSandbox(ClosedOnExit):
    """A sandbox served on 127.0.0.1 from a background thread."""

    def __init__(self, app: Flask, server: BaseWSGIServer) -> None:
        self.app = app
        self._server = server
        self.url = f"http://{HOST}:{server.server_port}"
        self._thread = threading.Thread(
            # A short poll keeps close() quick; the default makes it wait half a second.
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="pongo-sandbox",
            daemon=True,
        )
        self._thread.start()

    def close(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def start_sandbox(
    fixture: JSONDict | str | pathlib.Path,
    *,
    controls: bool = True,
    port: int = 0,
    issuer_url: str | None = None,
    clock: Callable[[], float] = time.time,
) -> RunningSandbox:
    """Serve a sandbox in a background thread; port 0 picks a free port."""
    app = create_sandbox_app(fixture, controls=controls, issuer_url=issuer_url, clock=clock)
    server = make_server(HOST, port, app, threaded=True, request_handler=_QuietRequestHandler)
    return RunningSandbox(app, server)


def serve(fixture_path: str | pathlib.Path, port: int, controls: bool) -> None:
    """Serve a sandbox in the foreground until interrupted (the `portal sandbox` verb)."""
    app = create_sandbox_app(fixture_path, controls=controls)
    server = make_server(HOST, port, app, threaded=True)
    # A command-line verb tells the operator where it listens.
    print(
        f"Pongo sandbox on http://{HOST}:{server.server_port}"
        f" (fixture {fixture_path}, controls {'on' if controls else 'off'})",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
