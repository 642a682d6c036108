"""Staff accounts: creation, deactivation and password checks."""

from __future__ import annotations

import functools
import secrets

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.staff import Staff, StaffRole

MIN_PASSWORD_LENGTH = 12


class StaffError(ValueError):
    """A staff account cannot be created or changed as asked; the message says why."""


def normalise_email(unsafe_email: str) -> str:
    """E-mail addresses compare without surrounding spaces and case."""
    return unsafe_email.strip().lower()


def hash_password(password: str) -> str:
    """A salted scrypt hash of the password."""
    return generate_password_hash(password, method="scrypt")


@functools.cache
def _dummy_hash() -> str:
    """A hash to check against when the e-mail is unknown, so both paths cost the same."""
    return hash_password(secrets.token_urlsafe(16))


def generate_password() -> str:
    """A random password for `create-staff --generate`."""
    return secrets.token_urlsafe(18)


def find_staff(email: str) -> Staff | None:
    """The staff account with this e-mail, active or not."""
    return db.session.scalar(select(Staff).where(func.lower(Staff.email) == normalise_email(email)))


def create_staff(*, email: str, role: str, password: str) -> Staff:
    """Add a staff account; flushes."""
    address = normalise_email(email)
    if "@" not in address or len(address) > 320:
        raise StaffError(f"{email!r} is not an e-mail address")
    if role not in {r.value for r in StaffRole}:
        raise StaffError(f"role must be one of {', '.join(r.value for r in StaffRole)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if find_staff(address) is not None:
        raise StaffError(f"{address} already has a staff account")
    staff = Staff(email=address, role=role, password_hash=hash_password(password), active=True)
    db.session.add(staff)
    db.session.flush()
    return staff


def deactivate_staff(*, email: str) -> Staff:
    """Turn an account off; its open sessions are refused from their next request. Flushes."""
    staff = find_staff(email)
    if staff is None:
        raise StaffError(f"no staff account for {email!r}")
    staff.active = False
    db.session.flush()
    return staff


def authenticate(*, email: str, password: str) -> Staff | None:
    """The active staff member with these credentials, or None (same cost either way)."""
    staff = find_staff(email)
    if staff is None or not staff.active:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(staff.password_hash, password):
        return None
    staff.last_login_at = utcnow()
    db.session.flush()
    return staff
