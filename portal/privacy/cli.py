"""Operator verbs for personal data: erase a customer, purge, offboard a merchant."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.audit.actor import Actor
from portal.extensions import db
from portal.models.merchant import Merchant
from portal.orders.mapping import InvalidPhone
from portal.privacy.erase import erase_customer
from portal.privacy.offboard import offboard_merchant, what_goes
from portal.privacy.phones import customer_phone
from portal.privacy.retention import purge

OPERATOR = Actor("operator", "system")


def _merchant(ref: str) -> Merchant:
    merchant = db.session.scalar(select(Merchant).where(Merchant.ref == ref))
    if merchant is None:
        raise click.ClickException(f"No merchant {ref!r}.")
    return merchant


def _counts(counts: dict[str, int]) -> None:
    for name, count in counts.items():
        click.echo(f"  {name.replace('_', ' ')}: {count}")


@click.command("erase-customer")
@click.argument("phone")
@click.option("--merchant", "merchant_ref", help="Only this merchant's data (its POS ref).")
@with_appcontext
def erase_customer_command(phone: str, merchant_ref: str | None) -> None:
    """Erase a customer's phone number, in every spelling, from everything the portal stores."""
    try:
        parsed = customer_phone(phone)
    except InvalidPhone as error:
        raise click.BadParameter(str(error), param_hint="PHONE") from None
    merchant = _merchant(merchant_ref) if merchant_ref else None
    report = erase_customer(phone=parsed, merchant=merchant, actor=OPERATOR)
    db.session.commit()
    click.echo("Erased. Rows changed:")
    _counts(report.as_dict())


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Apply every retention rule now (safe to run from cron, beside the workers)."""
    for line in purge().lines():
        click.echo(line)


@click.command("offboard")
@click.argument("merchant_ref")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def offboard_command(merchant_ref: str, yes: bool) -> None:
    """End a merchant: delete its data and sessions, keep its audit log pseudonymised."""
    merchant = _merchant(merchant_ref)
    if not yes:
        click.echo(f"Offboarding {merchant_ref!r} removes:")
        _counts(what_goes(merchant).as_dict())
        click.confirm("Go on?", abort=True)
    report = offboard_merchant(merchant=merchant, actor=OPERATOR)
    db.session.commit()
    click.echo(f"Merchant {merchant_ref!r} offboarded. Removed:")
    _counts(report.as_dict())


COMMANDS = (erase_customer_command, purge_command, offboard_command)
