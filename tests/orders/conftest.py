"""A merchant connected to the sandbox with linked locations, and relay settings for tests."""

from tests.helpers.relay_fixtures import app_settings, relay_app

__all__ = ["app_settings", "relay_app"]
