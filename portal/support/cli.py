"""Operator verbs for staff accounts: create, deactivate, and reset a lost second factor."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.audit.actor import Actor
from portal.audit.services import record
from portal.extensions import db
from portal.models.staff import StaffRole
from portal.support import accounts, factor


@click.command("create-staff")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([r.value for r in StaffRole]),
    default=StaffRole.SUPPORT.value,
    show_default=True,
    help="support views merchants read-only; support-admin may also switch to write mode.",
)
@click.option("--generate", is_flag=True, help="Generate a password and print it once.")
@with_appcontext
def create_staff_command(email: str, role: str, generate: bool) -> None:
    """Create a support staff account (asks for the password twice unless --generate)."""
    if generate:
        password = accounts.generate_password()
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        staff = accounts.create_staff(email=email, role=role, password=password)
    except accounts.StaffError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {staff.role} account {staff.email}.")
    if generate:
        click.echo(f"Password (shown once): {password}")


@click.command("deactivate-staff")
@click.argument("email")
@with_appcontext
def deactivate_staff_command(email: str) -> None:
    """Turn a staff account off; its open sessions are refused from their next request."""
    try:
        staff = accounts.deactivate_staff(email=email)
    except accounts.StaffError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Deactivated {staff.email}.")


@click.command("reset-staff-factor")
@click.argument("email")
@with_appcontext
def reset_staff_factor_command(email: str) -> None:
    """Forget a staff member's authenticator app, passkeys and recovery codes (lost phone).

    Their open sessions are refused from their next request; the next sign-in sets up a
    new second factor.
    """
    staff = accounts.find_staff(email)
    if staff is None:
        raise click.ClickException(f"no staff account for {email!r}")
    factor.reset_factor(staff)
    record(
        "staff.factor.reset",
        actor=Actor("operator", "system"),
        merchant=None,
        details={"email": staff.email},
    )
    db.session.commit()
    click.echo(f"Reset the second factor of {staff.email}; they set up a new one at next sign-in.")


COMMANDS = (create_staff_command, deactivate_staff_command, reset_staff_factor_command)
