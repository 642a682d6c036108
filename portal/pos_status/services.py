"""Read a merchant's summary, and watch it change into `merchant.status_changed` events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.dbclock import db_now
from portal.models.merchant import Merchant
from portal.models.pos_events import PosEvent, PosEventStatus, PosStatus
from portal.orders.services import pongo_outage
from portal.overview.services import overview_for
from portal.pos_status.changes import Step, plan
from portal.pos_status.summary import Summary, connection_state


def summary_for(merchant: Merchant) -> Summary:
    """The merchant's summary from the overview's own figures; never calls Pongo."""
    overview = overview_for(merchant)
    return Summary(
        connection=connection_state(overview.connection_status),
        setup_percent=overview.progress,
        problems=overview.problems_by_area(),
        orders_waiting=overview.problems.get("paused", 0),
        pongo_unavailable_since=pongo_outage(merchant),
    )


def read_summary(merchant: Merchant) -> tuple[Summary, datetime]:
    """The summary and when it last changed.

    A change the watcher has not recorded yet reads as having happened now.
    """
    summary = summary_for(merchant)
    seen = db.session.execute(
        select(PosStatus.summary, PosStatus.changed_at).where(PosStatus.merchant_id == merchant.id)
    ).one_or_none()
    if seen is not None and Summary.from_json(seen.summary) == summary:
        return summary, seen.changed_at
    return summary, utcnow()


def _open_event(merchant: Merchant) -> PosEvent | None:
    """The merchant's event not tried yet (body still unset), if any."""
    return db.session.scalar(
        select(PosEvent).where(
            PosEvent.merchant_id == merchant.id,
            PosEvent.status == PosEventStatus.PENDING,
            PosEvent.body.is_(None),
        )
    )


def watch(merchant: Merchant, *, window: timedelta, announce: bool = True) -> Step:
    """Compare the merchant's summary with what was seen and told; open or coalesce an event.

    Without `announce` (no receiver configured) the change is recorded and nothing is sent.
    Flushes, never commits. The status row is locked first (the sender locks it too before
    closing an event), so a summary is never folded into an event being closed.
    """
    latest = summary_for(merchant)
    now = utcnow()
    status = db.session.scalar(
        select(PosStatus).where(PosStatus.merchant_id == merchant.id).with_for_update()
    )
    if status is None:
        first = latest.to_json()
        db.session.add(
            PosStatus(merchant_id=merchant.id, summary=first, announced=first, changed_at=now)
        )
        db.session.flush()
        return Step.NOTHING
    if Summary.from_json(status.summary) != latest:
        status.summary = latest.to_json()
        status.changed_at = now
    status.checked_at = db_now()
    if not announce:
        status.announced = latest.to_json()
        db.session.flush()
        return Step.NOTHING
    event = _open_event(merchant)
    step = plan(
        baseline=Summary.from_json(status.announced),
        open_event=Summary.from_json(event.summary) if event else None,
        latest=latest,
    )
    if step is Step.OPEN:
        db.session.add(
            PosEvent(
                event_id=f"evt_{uuid.uuid4().hex}",
                merchant_id=merchant.id,
                summary=latest.to_json(),
                occurred_at=now,
                next_attempt_at=db_now(window.total_seconds()),
            )
        )
    elif event is not None and step is Step.UPDATE:
        db.session.execute(
            update(PosEvent)
            .where(PosEvent.id == event.id, PosEvent.body.is_(None))
            .values(summary=latest.to_json(), occurred_at=now)
        )
    elif event is not None and step is Step.CANCEL:
        db.session.execute(delete(PosEvent).where(PosEvent.id == event.id, PosEvent.body.is_(None)))
    db.session.flush()
    return step


@dataclass(frozen=True)
class Notifications:
    """What the POS back-end was told about a merchant, for the support page."""

    seen: PosStatus | None
    events: list[PosEvent]


def notifications_of(merchant: Merchant, *, limit: int = 10) -> Notifications:
    """The summary last seen by the watcher and the merchant's newest events."""
    return Notifications(
        seen=db.session.get(PosStatus, merchant.id),
        events=list(
            db.session.scalars(
                select(PosEvent)
                .where(PosEvent.merchant_id == merchant.id)
                .order_by(PosEvent.id.desc())
                .limit(limit)
            )
        ),
    )
