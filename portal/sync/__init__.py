"""Drift watch: Pongo checked on a schedule, changes recorded, the merchant told."""
