"""Relaying closed POS orders to Pongo: outbox, worker, mapping, and the Orders page."""
