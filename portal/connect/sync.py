"""The first sync right after connecting, so that Locations and Rewards are ready at once."""

from __future__ import annotations

import logging

from portal.locations.services import refresh_stores
from portal.models.merchant import Merchant
from portal.pongo import PongoClient, PongoError
from portal.rewards.services import refresh_rewards

logger = logging.getLogger(__name__)


def first_sync(merchant: Merchant, client: PongoClient) -> bool:
    """Fetch the merchant's stores and rewards; False when Pongo failed (the pages can retry)."""
    try:
        refresh_stores(merchant=merchant, client=client)
        refresh_rewards(merchant=merchant, client=client)
    except PongoError as error:
        logger.warning("First sync after connecting failed: %s", type(error).__name__)
        return False
    return True
