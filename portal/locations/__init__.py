"""Locations: link each POS location to its Pongo store."""
