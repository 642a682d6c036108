"""Support staff of the POS vendor: their own accounts, separate from merchants."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String
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
    # The authenticator app's secret, encrypted like Pongo tokens; None until confirmed.
    totp_secret_encrypted: Mapped[str | None] = mapped_column(String(500))
    # The last 30-second step whose code was accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # Sessions signed in before an operator reset the second factor are refused.
    factor_reset_at: Mapped[datetime | None]

    @property
    def is_admin(self) -> bool:
        """True for a support admin."""
        return self.role == StaffRole.SUPPORT_ADMIN


class StaffRecoveryCode(Base):
    """A single-use recovery code; only its SHA-256 digest is kept (the code has 80 random bits)."""

    __tablename__ = "staff_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    code_digest: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None]


class StaffPasskey(Base):
    """A WebAuthn credential (passkey) a staff member registered."""

    __tablename__ = "staff_passkeys"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    # base64url of the credential id (at most 1023 bytes by the WebAuthn specification).
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
