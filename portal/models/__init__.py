"""Every model of the portal, imported here so that migrations see them all."""

from portal.models.api_key import ApiKey
from portal.models.audit import AuditEvent, AuditPermit
from portal.models.base import Base
from portal.models.connection import ConnectionStatus, PongoConnection
from portal.models.drift import DriftChange, SyncState
from portal.models.erasure import ErasedPhone
from portal.models.locations import Location, LocationTally, PongoStore, StoreSync
from portal.models.merchant import Merchant
from portal.models.orders import Order, OrderRelay, RelayAttempt, RelayStatus
from portal.models.pos_events import PosEvent, PosEventStatus, PosStatus
from portal.models.products import Product
from portal.models.rewards import PongoReward, ReviewedReward, RewardSync
from portal.models.session import UsedLaunchToken, WebSession
from portal.models.staff import Staff, StaffPasskey, StaffRecoveryCode, StaffRole
from portal.models.status_updates import OrderStatusUpdate, UpdateState

__all__ = [
    "ApiKey",
    "AuditEvent",
    "AuditPermit",
    "Base",
    "ConnectionStatus",
    "DriftChange",
    "ErasedPhone",
    "Location",
    "LocationTally",
    "Merchant",
    "Order",
    "OrderRelay",
    "OrderStatusUpdate",
    "PongoConnection",
    "PongoReward",
    "PongoStore",
    "PosEvent",
    "PosEventStatus",
    "PosStatus",
    "Product",
    "RelayAttempt",
    "RelayStatus",
    "ReviewedReward",
    "RewardSync",
    "Staff",
    "StaffPasskey",
    "StaffRecoveryCode",
    "StaffRole",
    "StoreSync",
    "SyncState",
    "UpdateState",
    "UsedLaunchToken",
    "WebSession",
]
