"""The one client for every call the portal makes to Pongo."""

from portal.pongo.client import PongoClient
from portal.pongo.errors import (
    ClientRejected,
    GrantRejected,
    MissingScope,
    NeedsReconnection,
    NotFound,
    PongoError,
    Rejected,
    TooSlow,
    Unavailable,
    UnexpectedResponse,
    ValidationFailed,
)
from portal.pongo.models import FetchedReward, FetchedStore, OrderReceipt, PongoAccount
from portal.pongo.settings import PongoSettings
from portal.pongo.tokens import TokenSet, exchange_code, refresh_access_token

__all__ = [
    "ClientRejected",
    "FetchedReward",
    "FetchedStore",
    "GrantRejected",
    "MissingScope",
    "NeedsReconnection",
    "NotFound",
    "OrderReceipt",
    "PongoAccount",
    "PongoClient",
    "PongoError",
    "PongoSettings",
    "Rejected",
    "TokenSet",
    "TooSlow",
    "Unavailable",
    "UnexpectedResponse",
    "ValidationFailed",
    "exchange_code",
    "refresh_access_token",
]
