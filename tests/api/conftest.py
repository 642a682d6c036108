"""Merchant M1 already created through the POS API."""

from __future__ import annotations

import pytest

from tests.helpers.api import Api


@pytest.fixture
def merchant_api(api: Api) -> Api:
    """The API with merchant M1 already created."""
    assert api.put("/merchants/M1", {"name": "Boulangerie Lumière"}).status_code == 201
    return api
