"""The POS API: server-to-server JSON for the POS back-end."""

from portal.api import orders as _orders  # noqa: F401  # registers the order routes on bp
from portal.api.views import bp

__all__ = ["bp"]
