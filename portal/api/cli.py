"""Operator verbs for the POS API: its keys."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.api import keys
from portal.extensions import db


@click.command("create-api-key")
@click.argument("name")
@with_appcontext
def create_api_key(name: str) -> None:
    """Make an API key for the POS back-end and print it once; only its hash is kept."""
    new = keys.create_key(name=name)
    db.session.commit()
    click.echo(new.plaintext)
    click.echo(f"Prefix {new.key.prefix}. Store the key now: it cannot be shown again.", err=True)


@click.command("revoke-api-key")
@click.argument("prefix")
@with_appcontext
def revoke_api_key(prefix: str) -> None:
    """Revoke the API key with this prefix; calls with it are refused from now on."""
    key = keys.revoke_key(prefix=prefix)
    if key is None:
        raise click.ClickException(f"No API key with prefix {prefix!r}.")
    db.session.commit()
    click.echo(f"Revoked {key.prefix} ({key.name}).")


@click.command("list-api-keys")
@with_appcontext
def list_api_keys() -> None:
    """List API keys: prefix, name, created, last used, revoked."""
    for key in keys.list_keys():
        used = key.last_used_at.isoformat(timespec="minutes") if key.last_used_at else "never"
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        click.echo(
            f"{key.prefix}  {key.name:<24} created {key.created_at:%Y-%m-%d}  "
            f"last used {used}  {state}"
        )


COMMANDS = (create_api_key, revoke_api_key, list_api_keys)
