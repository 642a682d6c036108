"""`portal demo`: everything a newcomer needs to click through the portal on one machine."""

from __future__ import annotations

import click
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from portal.config import Settings
from portal.demo.loader import load_demo_data
from portal.sandbox import DEMO_FIXTURE
from portal.sandbox.server import start_sandbox

SANDBOX_PORT = 5001


def run_demo(app: Flask, *, host: str, port: int) -> None:
    """Migrate, load the demo data, start the Pongo sandbox and serve the portal."""
    settings: Settings = app.extensions["portal.settings"]
    if not settings.demo:
        raise click.ClickException("Set PORTAL_DEMO=1 (as `make demo` does) to run the demo.")
    with app.app_context():
        upgrade()
        count = load_demo_data()
    click.echo(f" * Demo data loaded through the POS API ({count} requests).")
    sandbox = start_sandbox(DEMO_FIXTURE, controls=True, port=SANDBOX_PORT)
    base = f"http://{host}:{port}"
    click.echo(
        "\n".join(
            [
                "",
                f" * Pongo sandbox:        {sandbox.url}",
                f" * POS admin panel:      {base}/demo/pos-admin   <- start here",
                "   Pongo sign-in:        demo@boulangerie-lumiere.fr / pongo-demo",
                "",
            ]
        )
    )
    try:
        run_simple(host, port, app, threaded=True)
    finally:
        sandbox.close()
