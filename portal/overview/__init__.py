"""The merchant's overview page."""

from portal.overview.views import bp

__all__ = ["bp"]
