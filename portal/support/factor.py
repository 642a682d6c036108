"""A staff member's second factor: authenticator-app codes (RFC 6238) and recovery codes.

The app's secret is stored encrypted like Pongo tokens; each accepted code moves the
account's last step forward, so a code (seen over a shoulder, or replayed) works once.
Recovery codes carry 80 random bits, so a SHA-256 digest is enough to keep them at rest.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno
from sqlalchemy import delete, func, select

from portal import crypto
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.staff import Staff, StaffPasskey, StaffRecoveryCode
from portal.support import passkeys

ISSUER = "Pongo portal"
RECOVERY_CODES = 10
# A code from the step before or after the current one is accepted: phones drift a little.
DRIFT_STEPS = 1


def new_secret() -> str:
    """A fresh authenticator-app secret (160 bits, base32)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, email: str) -> str:
    """The `otpauth://totp/…` URI that authenticator apps and password managers read."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The URI as a QR code, an SVG in a data: URI for an <img>."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=4))


def _digits(unsafe_code: str) -> str:
    return "".join(c for c in unsafe_code if not c.isspace())


def matching_step(secret: str, unsafe_code: str, *, after: int | None, at: datetime) -> int | None:
    """The 30-second step whose code this is, if it is near `at` and later than `after`."""
    code = _digits(unsafe_code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(at)
    found = None
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        # Every candidate is compared, so the time taken does not say which step matched.
        if hmac.compare_digest(totp.generate_otp(step), code) and (after is None or step > after):
            found = step
    return found


def has_factor(staff: Staff) -> bool:
    """True once the staff member has confirmed an authenticator app or registered a passkey."""
    return bool(staff.totp_secret_encrypted) or passkeys.has_passkey(staff)


def confirm_totp(staff: Staff, *, secret: str, unsafe_code: str) -> bool:
    """Keep the app's secret once its first code is right; flushes. False when the code is wrong."""
    step = matching_step(secret, unsafe_code, after=None, at=utcnow())
    if step is None:
        return False
    staff.totp_secret_encrypted = crypto.encrypt(secret)
    staff.totp_last_step = step
    db.session.flush()
    return True


def check_totp(staff: Staff, unsafe_code: str) -> bool:
    """Accept a current code from the staff member's app, once; flushes."""
    if not staff.totp_secret_encrypted:
        return False
    secret = crypto.decrypt(staff.totp_secret_encrypted)
    step = matching_step(secret, unsafe_code, after=staff.totp_last_step, at=utcnow())
    if step is None:
        return False
    staff.totp_last_step = step
    db.session.flush()
    return True


def _recovery_digest(unsafe_code: str) -> str:
    normal = _digits(unsafe_code).replace("-", "").upper()
    return hashlib.sha256(normal.encode()).hexdigest()


def new_recovery_codes(staff: Staff) -> list[str]:
    """Replace the staff member's recovery codes with ten new ones, returned once; flushes."""
    db.session.execute(delete(StaffRecoveryCode).where(StaffRecoveryCode.staff_id == staff.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = base64.b32encode(secrets.token_bytes(10)).decode()  # 80 bits, 16 characters
        code = "-".join(raw[i : i + 4] for i in range(0, 16, 4))
        db.session.add(StaffRecoveryCode(staff_id=staff.id, code_digest=_recovery_digest(code)))
        codes.append(code)
    db.session.flush()
    return codes


def use_recovery_code(staff: Staff, unsafe_code: str) -> int | None:
    """Spend one unused recovery code; the number left, or None when it is not one. Flushes."""
    if len(unsafe_code) > 100:
        return None
    row = db.session.scalar(
        select(StaffRecoveryCode).where(
            StaffRecoveryCode.staff_id == staff.id,
            StaffRecoveryCode.code_digest == _recovery_digest(unsafe_code),
            StaffRecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return None
    row.used_at = utcnow()
    db.session.flush()
    return recovery_codes_left(staff)


def recovery_codes_left(staff: Staff) -> int:
    """How many unused recovery codes the staff member still has."""
    return int(
        db.session.scalar(
            select(func.count(StaffRecoveryCode.id)).where(
                StaffRecoveryCode.staff_id == staff.id, StaffRecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )


def reset_factor(staff: Staff) -> None:
    """Forget the app, the passkeys and the recovery codes; open sessions are refused. Flushes."""
    staff.totp_secret_encrypted = None
    staff.totp_last_step = None
    staff.factor_reset_at = utcnow()
    db.session.execute(delete(StaffRecoveryCode).where(StaffRecoveryCode.staff_id == staff.id))
    db.session.execute(delete(StaffPasskey).where(StaffPasskey.staff_id == staff.id))
    db.session.flush()
