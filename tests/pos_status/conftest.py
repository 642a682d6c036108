"""The connected merchant and relay workers of the order tests, shared with these tests."""

from tests.orders.conftest import (  # noqa: F401  # fixtures, found by pytest through this import
    api,
    client,
    connected_merchant,
    relay_app,
)
