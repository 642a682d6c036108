"""The refresh buttons of the Pongo lists (stores, rewards): fetch again, say how it went."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from flask import flash
from flask_babel import gettext as _

from portal.access import current_merchant
from portal.audit.actor import Actor, actor_from_request
from portal.models.merchant import Merchant
from portal.pongo.connection import NotConnected
from portal.pongo.errors import PongoError
from portal.pongo.merchant import MerchantPongo, pongo_client_for
from portal.untrusted import report_unreadable

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Refresh(Protocol[T_co]):
    """A list's refresh service: fetch the list with the client and replace the cache."""

    def __call__(self, *, merchant: Merchant, client: MerchantPongo, actor: Actor) -> T_co:
        """What the refresh fetched."""


def refresh_from_pongo(
    refresh: Refresh[T],
    what: str,
    *,
    done: Callable[[T], str],
    failed: Callable[[str], str],
) -> None:
    """Refresh one list of the signed-in merchant from Pongo and tell the merchant how it went.

    `what` names the list's items Pongo sent that could not be read; `done` words what was
    fetched, `failed` the reason Pongo's error gives.
    """
    merchant = current_merchant()
    try:
        with pongo_client_for(merchant) as client:
            fetched = refresh(merchant=merchant, client=client, actor=actor_from_request())
            report_unreadable(what, client.unreadable)
    except NotConnected:
        flash(_("Connect your Pongo account first."), "needs-connection")
    except PongoError as error:
        flash(failed(_(error.user_message)), "error")
    else:
        flash(done(fetched), "success")
