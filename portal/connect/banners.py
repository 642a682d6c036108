"""The banner every page shows while the Pongo connection needs attention."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from portal.extensions import db
from portal.models.connection import ConnectionStatus, PongoConnection
from portal.models.merchant import Merchant


def connection_banners(merchant: Merchant) -> list[dict[str, Any]]:
    """A "reconnect Pongo" banner while the token is rejected or refresh failed."""
    status = db.session.scalar(
        select(PongoConnection.status).where(PongoConnection.merchant_id == merchant.id)
    )
    if status != ConnectionStatus.NEEDS_RECONNECTION:
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
