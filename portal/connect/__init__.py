"""Connecting a merchant's Pongo account (OAuth) and keeping its tokens usable."""
