"""The portal with the relay's test settings, as the events and the orders share one worker."""

from tests.helpers.relay_fixtures import app_settings, relay_app

__all__ = ["app_settings", "relay_app"]
