"""The demo's verbs: `portal demo` runs it all, `portal demo-data` loads its merchants."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.demo.loader import DemoLoadError, load_demo_data
from portal.demo.run import run_demo


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@with_appcontext
def demo_command(host: str, port: int) -> None:
    """Run the demo: migrate, load demo data, start the Pongo sandbox, serve the portal."""
    run_demo(current_app._get_current_object(), host=host, port=port)  # type: ignore[attr-defined]


@click.command("demo-data")
@with_appcontext
def demo_data() -> None:
    """Load the demo merchants through the POS API, as the POS back-end would."""
    try:
        load_demo_data(click.echo)
    except DemoLoadError as exc:
        raise click.ClickException(str(exc)) from exc


COMMANDS = (demo_command, demo_data)
