"""The `portal` command: every operator verb."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from portal.extensions import db


def _create_app() -> Flask:
    from portal import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Pongo portal: operator commands (database, sandbox, keys, staff, relay)."""


@click.command("init-db")
def init_db() -> None:
    """Create every table directly (tests and throwaway databases; use `db upgrade` otherwise)."""
    db.create_all()
    click.echo("Tables created.")


def init_app(app: Flask) -> None:
    """Register the verbs on the app so that `flask` and `portal` both know them."""
    app.cli.add_command(init_db)
