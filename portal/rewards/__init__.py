"""Rewards: check that each Pongo reward points at real products of the POS catalogue."""
