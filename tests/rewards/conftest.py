"""M1's rewards fetched from the demo account in Pongo, as the merchant fetches them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from flask.testing import FlaskClient

from tests.helpers.rewards import Fetch, refresh, set_rewards


@pytest.fixture
def fetch(merchant_client: FlaskClient, pongo: httpx.Client) -> Fetch:
    """Rewards set in Pongo's back office, then "Refresh from Pongo" pressed as M1."""

    def fetching(*rewards: dict[str, Any]) -> str:
        set_rewards(pongo, list(rewards))
        return str(refresh(merchant_client).get_data(as_text=True))

    return fetching
