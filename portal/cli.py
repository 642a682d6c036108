"""The `portal` command: every operator verb."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from portal import config
from portal.entry.demo import DEMO_USER, launch_url
from portal.extensions import db
from portal.models.merchant import Merchant


def _create_app() -> Flask:
    from portal import create_app

    return create_app()


class PortalGroup(FlaskGroup):
    """The verbs, with one answer for a database that was never migrated."""

    def invoke(self, ctx: click.Context) -> object:
        """Run the verb; a missing table ends in one line instead of a traceback."""
        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as error:
            if not _missing_table(error):
                raise
            raise click.ClickException(
                "The database has no tables yet: run `portal db upgrade`"
            ) from None


def _missing_table(error: DBAPIError) -> bool:
    """Whether the database said a table does not exist (SQLite or PostgreSQL)."""
    text = str(error.orig).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


@click.group(cls=PortalGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Pongo portal: operator commands (database, sandbox, keys, staff, relay)."""


@click.command("init-db")
def init_db() -> None:
    """Create every table directly (tests and throwaway databases; use `db upgrade` otherwise)."""
    db.create_all()
    click.echo("Tables created.")


@click.command("launch-url")
@click.argument("merchant_ref")
@click.option("--name", "merchant_name", help="Merchant name (required for a new merchant).")
@click.option("--target", help="Page to open: connection, locations, rewards, orders, or page:REF.")
@click.option("--locale", type=click.Choice(["en", "fr", "fr-CA"]), help="Language of the portal.")
@click.option("--email", default=DEMO_USER["email"], show_default=True, help="Admin user's e-mail.")
@click.option("--user-name", default=DEMO_USER["name"], show_default=True, help="Admin name.")
@with_appcontext
def launch_url_command(
    merchant_ref: str,
    merchant_name: str | None,
    target: str | None,
    locale: str | None,
    email: str,
    user_name: str,
) -> None:
    """Print a signed launch URL for a merchant, valid for two minutes and usable once."""
    settings = config.current()
    merchant = db.session.scalar(select(Merchant).where(Merchant.ref == merchant_ref))
    if merchant is None:
        if not merchant_name:
            raise click.UsageError(f"No merchant {merchant_ref!r} yet: give its --name.")
        merchant = Merchant(ref=merchant_ref, name=merchant_name)
    elif merchant_name:
        merchant = Merchant(ref=merchant.ref, name=merchant_name)
    url = launch_url(settings, merchant, target=target, locale=locale, email=email, name=user_name)
    click.echo(url)


@main.command("sandbox")
@click.option("--port", default=5001, show_default=True, help="Port on 127.0.0.1.")
@click.option(
    "--fixture",
    type=click.Path(exists=True, dir_okay=False),
    help="Fixture JSON (clients, accounts, stores, rewards); the demo fixture by default.",
)
@click.option("--controls", is_flag=True, help="Enable the /_sandbox/ test controls.")
def sandbox_command(port: int, fixture: str | None, controls: bool) -> None:
    """Run the Pongo sandbox, a local emulator of Pongo's API."""
    from portal.sandbox import DEMO_FIXTURE
    from portal.sandbox.server import serve

    serve(fixture or DEMO_FIXTURE, port, controls)


def init_app(app: Flask) -> None:
    """Register the verbs on the app so that `flask` and `portal` both know them."""
    from portal.api.cli import COMMANDS as API_COMMANDS
    from portal.demo.cli import COMMANDS as DEMO_COMMANDS
    from portal.orders.cli import relay_worker
    from portal.support import cli as support_cli
    from portal.sync.cli import sync_worker

    for command in (
        init_db,
        launch_url_command,
        rotate_keys_command,
        relay_worker,
        sync_worker,
        *API_COMMANDS,
        *DEMO_COMMANDS,
        *support_cli.COMMANDS,
    ):
        app.cli.add_command(command)


@click.command("rotate-keys")
@with_appcontext
def rotate_keys_command() -> None:
    """Re-encrypt every stored Pongo token under the newest PORTAL_ENCRYPTION_KEYS key."""
    from portal.pongo.connection import rotate_encryption_keys

    count = rotate_encryption_keys()
    db.session.commit()
    click.echo(f"Re-encrypted {count} connection(s) under the newest key.")
