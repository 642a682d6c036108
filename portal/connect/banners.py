"""The banner every page shows while the Pongo connection needs attention."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from portal.extensions import db
from portal.models.connection import ConnectionStatus
from portal.models.merchant import Merchant
from portal.models.orders import OrderRelay, RelayStatus
from portal.pongo.connection import request_connection


def waiting_orders(merchant: Merchant) -> int:
    """How many of the merchant's orders wait, paused, for a usable connection."""
    return (
        db.session.scalar(
            select(func.count(OrderRelay.id)).where(
                OrderRelay.merchant_id == merchant.id, OrderRelay.status == RelayStatus.PAUSED
            )
        )
        or 0
    )


def connection_banners(merchant: Merchant) -> list[dict[str, Any]]:
    """A "reconnect Pongo" banner while orders wait or the token is rejected."""
    connection = request_connection(merchant)
    status = connection.status if connection else None
    if status is None or status == ConnectionStatus.CONNECTED:
        return []
    waiting = waiting_orders(merchant)
    if waiting:
        text = ngettext(
            "%(num)d order is waiting: reconnect Pongo so it earns points",
            "%(num)d orders are waiting: reconnect Pongo so they earn points",
            waiting,
        )
    elif status == ConnectionStatus.NEEDS_RECONNECTION:
        text = _("Pongo no longer accepts the portal's access: reconnect Pongo.")
    else:
        return []
    return [
        {
            "kind": "danger" if status == ConnectionStatus.NEEDS_RECONNECTION else "warning",
            "icon": "✖" if status == ConnectionStatus.NEEDS_RECONNECTION else "⚠",
            "text": text,
            # The button itself starts the reconnection: straight to Pongo's consent form.
            "form_url": url_for("connect.start"),
            "form_endpoint": "connect.start",
            "form_label": _("Reconnect"),
            "form_busy": _("Opening Pongo…"),
        }
    ]
