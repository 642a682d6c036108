"""The banner every page shows while the Pongo connection needs attention."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _

from portal.models.connection import ConnectionStatus
from portal.models.merchant import Merchant
from portal.pongo.connection import request_connection


def connection_banners(merchant: Merchant) -> list[dict[str, Any]]:
    """A "reconnect Pongo" banner while the token is rejected or refresh failed."""
    connection = request_connection(merchant)
    if connection is None or connection.status != ConnectionStatus.NEEDS_RECONNECTION:
        return []
    return [
        {
            "kind": "danger",
            "icon": "✖",
            "text": _("Pongo no longer accepts the portal's access: reconnect Pongo."),
            "action_url": url_for("connect.index"),
            "action_label": _("Reconnect"),
        }
    ]
