"""The merchant's Pongo client, as the connection feature provides it."""

from __future__ import annotations

import importlib

from portal.models.merchant import Merchant
from portal.pongo import PongoClient


def client_for(merchant: Merchant) -> PongoClient | None:
    """The merchant's Pongo client, or None while the merchant has not connected Pongo."""
    try:
        connect = importlib.import_module("portal.connect.services")
    except ModuleNotFoundError:  # the connection feature is not installed in this build
        return None
    try:
        client: PongoClient = connect.pongo_client_for(merchant)
    except connect.NotConnected:
        return None
    return client
