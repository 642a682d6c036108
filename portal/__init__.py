"""Pongo portal: links a POS vendor's merchants to the Pongo loyalty platform."""
