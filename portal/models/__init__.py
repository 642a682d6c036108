"""Every model of the portal, imported here so that migrations see them all."""

from portal.models.audit import AuditEvent
from portal.models.base import Base
from portal.models.connection import ConnectionStatus, PongoConnection
from portal.models.merchant import Merchant
from portal.models.session import UsedLaunchToken, WebSession
from portal.models.staff import Staff, StaffRole

__all__ = [
    "AuditEvent",
    "Base",
    "ConnectionStatus",
    "Merchant",
    "PongoConnection",
    "Staff",
    "StaffRole",
    "UsedLaunchToken",
    "WebSession",
]
