"""Leave for the few changes the append-only audit trigger allows, for one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, insert

from portal.extensions import db
from portal.models.audit import AuditPermit


class Permit(StrEnum):
    """What the trigger lets through while a permit of this kind is in the transaction."""

    PURGE = "purge"
    ERASE = "erase"
    PSEUDONYMISE = "pseudonymise"


@contextmanager
def audit_permit(
    kind: Permit, *, merchant_id: int | None = None, before: datetime | None = None
) -> Iterator[None]:
    """Hold a permit while the block runs; it is gone again before anything commits.

    On an error the permit is left to the caller's rollback, which removes it with the rest.
    """
    permit_id = db.session.execute(
        insert(AuditPermit)
        .values(kind=kind.value, merchant_id=merchant_id, before=before)
        .returning(AuditPermit.id)
    ).scalar_one()
    yield
    db.session.execute(delete(AuditPermit).where(AuditPermit.id == permit_id))
