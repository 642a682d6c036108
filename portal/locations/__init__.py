"""Locations: link each POS location to its Pongo store."""

from portal.locations.views import bp

__all__ = ["bp"]
