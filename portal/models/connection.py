"""A merchant's connection to its Pongo account; tokens are stored encrypted."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, utcnow


class ConnectionStatus(StrEnum):
    """Where a merchant stands with Pongo."""

    CONNECTED = "connected"
    NEEDS_RECONNECTION = "needs_reconnection"
    DISCONNECTED = "disconnected"


class PongoConnection(Base):
    """One per merchant once it has connected; never holds a plaintext token."""

    __tablename__ = "pongo_connections"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(
        ForeignKey("merchants.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(30), default=ConnectionStatus.CONNECTED)
    account_id: Mapped[str | None] = mapped_column(String(200))
    account_name: Mapped[str | None] = mapped_column(String(200))
    account_email: Mapped[str | None] = mapped_column(String(320))
    scopes: Mapped[str] = mapped_column(String(500), default="")
    access_token_encrypted: Mapped[str | None] = mapped_column(Text)
    refresh_token_encrypted: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None]
    connected_by: Mapped[str | None] = mapped_column(String(320))
    connected_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    problem: Mapped[str | None] = mapped_column(String(500))
    problem_at: Mapped[datetime | None]
    refreshed_at: Mapped[datetime | None]
    # Counts the grants: each new connection (and each disconnection) starts a generation.
    # A token read for one generation can only flag that generation as rejected.
    generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # Since when calls to Pongo fail as unavailable (cleared by the next answer).
    unavailable_since: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def usable(self) -> bool:
        """True when the portal may call Pongo for this merchant."""
        return self.status == ConnectionStatus.CONNECTED and bool(self.access_token_encrypted)
