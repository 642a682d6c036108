"""Completing a Pongo connection: the tokens Authlib brought back, then the first sync."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from portal.locations.services import refresh_stores
from portal.models.base import utcnow
from portal.models.merchant import Merchant
from portal.pongo import PongoClient, PongoError, TokenSet
from portal.rewards.services import refresh_rewards

logger = logging.getLogger(__name__)


def token_set_from_authlib(token: Mapping[str, Any]) -> TokenSet:
    """A TokenSet from the dict Authlib returns."""
    expires_at = token.get("expires_at")
    scope = token.get("scope") or ""
    return TokenSet(
        access_token=str(token["access_token"]),
        refresh_token=str(token["refresh_token"]) if token.get("refresh_token") else None,
        expires_at=datetime.fromtimestamp(int(expires_at), tz=utcnow().tzinfo)
        if expires_at
        else None,
        scopes=tuple(s for s in str(scope).replace(" ", ",").split(",") if s),
    )


def first_sync(merchant: Merchant, client: PongoClient) -> bool:
    """Fetch the merchant's stores and rewards; False when Pongo failed (the pages can retry)."""
    try:
        refresh_stores(merchant=merchant, client=client)
        refresh_rewards(merchant=merchant, client=client)
    except PongoError as error:
        logger.warning("First sync after connecting failed: %s", type(error).__name__)
        return False
    return True
