"""The columns of a row that workers take turns on (see portal.workers): due time, tries, lease."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.dbclock import db_now


class QueueRow:
    """A row due at `next_attempt_at`, owned by one worker while its lease holds."""

    attempts: Mapped[int] = mapped_column(default=0)
    # Due times and leases are written and compared on the database's clock.
    next_attempt_at: Mapped[datetime] = mapped_column(default=db_now())
    # The lease: a worker owns the row until then; a crashed worker's rows come back.
    claimed_until: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(40))
    claimed_by: Mapped[str | None] = mapped_column(String(120))
