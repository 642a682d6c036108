"""`portal pongo-check`: the command a POS vendor runs against Pongo before going live.

It wires the contract check of `portal.pongo.check` to the portal's own order mapping
(the test order is what the relay would send for an order nobody identified on), prints
one line per assumption and exits 1 when anything differs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import click
import httpx

from portal.orders.mapping import OrderEnums, PosLine, PosOrder, to_pongo
from portal.pongo import endpoints, inferred
from portal.pongo.check import Credentials, check_pongo
from portal.pongo.check_report import CONFIRMED, DIFFERS, NOT_CHECKED
from portal.pongo.settings import DEFAULT_SCOPES, parse_scopes

# Pongo's own sandbox host (authentication-2): the first place to run the check.
PONGO_SANDBOX = "https://sandbox-api.heypongo.com"


def sample_order_body(store_slug: str, enums: OrderEnums, moment: datetime) -> dict[str, Any]:
    """The body the portal sends for a one-euro order nobody identified on, from this till."""
    order = PosOrder(
        order_ref=f"pongo-check-{moment.strftime('%Y%m%d%H%M%S')}",
        total_cents=100,
        tax_cents=17,
        created_at=moment,
        lines=(PosLine("PONGO-CHECK", "Contract check", 1, 100),),
        device_id="pongo-check",
        device_name="portal pongo-check",
    )
    return to_pongo(order, store_slug=store_slug, enums=enums)


def _one_grant(credentials: Credentials) -> Credentials:
    """The credentials, when they give one way to sign in: a password, or a code."""
    code, login, password = credentials.code, credentials.login, credentials.password
    if code and (login or password):
        raise click.UsageError("give either --login and --password, or --code, not both")
    if not code and not (login and password):
        raise click.UsageError("give --login and --password (password grant), or --code")
    return credentials


@click.command("pongo-check")
@click.option("--base-url", required=True, help=f"Pongo's API, e.g. {PONGO_SANDBOX}.")
@click.option("--client-id", required=True, envvar="PONGO_CLIENT_ID", help="Client id.")
@click.option("--client-secret", required=True, envvar="PONGO_CLIENT_SECRET", help="Client secret.")
@click.option("--login", help="A merchant's Pongo login (password grant).")
@click.option("--password", envvar="PONGO_CHECK_PASSWORD", help="That merchant's password.")
@click.option("--code", help="A code from Pongo's consent form, instead of a password.")
@click.option("--redirect-uri", envvar="PONGO_REDIRECT_URI", help="Sent with --code.")
@click.option("--order", "store_slug", help="Post one test order in this Pongo store.")
@click.option(
    "--scopes",
    envvar="PONGO_SCOPES",
    default=",".join(DEFAULT_SCOPES),
    show_default=True,
    help="Scopes to ask for with the password grant.",
)
@click.option("--token-path", envvar="PONGO_TOKEN_PATH", default=str(endpoints.TOKEN.path))
@click.option("--channel", envvar="PONGO_ORDER_CHANNEL", default=str(inferred.CHANNEL))
@click.option(
    "--delivery-mode", envvar="PONGO_ORDER_DELIVERY_MODE", default=str(inferred.DELIVERY_MODE)
)
@click.option("--status", envvar="PONGO_ORDER_STATUS", default=str(inferred.STATUS))
@click.option(
    "--delivery-status",
    envvar="PONGO_ORDER_DELIVERY_STATUS",
    default=str(inferred.DELIVERY_STATUS),
)
def pongo_check_command(
    base_url: str,
    client_id: str,
    client_secret: str,
    login: str | None,
    password: str | None,
    code: str | None,
    redirect_uri: str | None,
    store_slug: str | None,
    scopes: str,
    token_path: str,
    channel: str,
    delivery_mode: str,
    status: str,
    delivery_status: str,
) -> None:
    """Check what the portal assumes of Pongo's API against a real Pongo, before going live."""
    if urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).netloc:
        raise click.UsageError("--base-url must be an http(s) URL")
    credentials = _one_grant(
        Credentials(
            client_id, client_secret, login, password, code, redirect_uri, parse_scopes(scopes)
        )
    )
    body = None
    if store_slug:
        # An empty PONGO_ORDER_* means the guess, as for the relay.
        enums = OrderEnums(
            channel or inferred.CHANNEL,
            delivery_mode or inferred.DELIVERY_MODE,
            status or inferred.STATUS,
            delivery_status or inferred.DELIVERY_STATUS,
        )
        body = sample_order_body(store_slug, enums, datetime.now(UTC).replace(microsecond=0))
    timeout = httpx.Timeout(15.0, connect=5.0)
    with httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout) as http:
        path = token_path or endpoints.TOKEN.path
        report = check_pongo(http, credentials, order_body=body, token_path=path)
    for line in report.lines:
        click.echo(line)
    counts = {
        v: sum(1 for line in report.lines if line.startswith(v + ":"))
        for v in (CONFIRMED, DIFFERS, NOT_CHECKED)
    }
    click.echo(", ".join(f"{n} {verdict}" for verdict, n in counts.items()))
    raise SystemExit(1 if report.differs else 0)
