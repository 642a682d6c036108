"""The POS API: server-to-server JSON for the POS back-end."""

from portal.api.views import bp

__all__ = ["bp"]
