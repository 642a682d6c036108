"""Connecting and disconnecting a merchant's Pongo account: consent, callback, banner."""
