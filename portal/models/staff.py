"""Support staff of the POS vendor: their own accounts, separate from merchants."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, utcnow


class StaffRole(StrEnum):
    """What a staff member may do; only a support admin may switch a view to write mode."""

    SUPPORT = "support"
    SUPPORT_ADMIN = "support-admin"


class Staff(Base):
    """A support agent who signs in at /support/login; created and deactivated by the operator."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=StaffRole.SUPPORT)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    @property
    def is_admin(self) -> bool:
        """True for a support admin."""
        return self.role == StaffRole.SUPPORT_ADMIN
