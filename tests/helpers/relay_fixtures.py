"""The relay's test settings on the root `app`, for the folders whose tests run the relay.

A folder's conftest imports both fixtures and names them in its `__all__`.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.helpers.orders import RELAY_TEST_SETTINGS


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """Relay settings made for tests, added to the root `app`."""
    return RELAY_TEST_SETTINGS


@pytest.fixture
def relay_app(app: Flask) -> Flask:
    """The portal talking to the sandbox, with relay settings made for tests."""
    return app
