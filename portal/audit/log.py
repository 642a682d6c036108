"""The merchant's access log: audit events in plain words, support views folded into one line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import format_date, format_time
from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit.actions import Audience, describe, visible_to
from portal.extensions import db
from portal.listing import Page, paginate
from portal.models.audit import AuditEvent
from portal.models.merchant import Merchant

PER_PAGE = 25
# Folded into the line of the view they belong to (counted, or giving its end time).
FOLDED = ("support.page_view", "support.view.end", "support.view.expired")


@dataclass
class LogLine:
    """One line of the access log."""

    when: str
    text: str
    support: bool
    reason: str | None = None


def _when(start: datetime, end: datetime | None = None) -> str:
    day = format_date(start, "medium")
    if end is None:
        return f"{day}, {format_time(start, 'short')}"
    return f"{day}, {format_time(start, 'short')}–{format_time(end, 'short')}"


@dataclass
class _ViewFacts:
    ended_at: datetime | None = None
    pages: int = 0


def _view_facts(merchant: Merchant, starts: list[AuditEvent]) -> dict[str, _ViewFacts]:
    """End time and pages viewed for each support view started on this page of the log."""
    if not starts:
        return {}
    earliest = min(e.at for e in starts)
    latest = max(e.at for e in starts) + timedelta(hours=1)
    facts: dict[str, _ViewFacts] = {str(e.details.get("view_id")): _ViewFacts() for e in starts}
    later = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.merchant_id == merchant.id,
            AuditEvent.action.in_(FOLDED),
            AuditEvent.at >= earliest,
            AuditEvent.at <= latest,
        )
    )
    for event in later:
        fact = facts.get(str(event.details.get("view_id")))
        if fact is None:
            continue
        if event.action == "support.page_view":
            fact.pages += 1
        else:
            fact.ended_at = event.at
    return facts


def _view_line(event: AuditEvent, fact: _ViewFacts) -> LogLine:
    text = _("Support agent %(staff)s viewed your portal.", staff=event.impersonator)
    pages = _("Pages viewed: %(num)d.", num=fact.pages)
    if fact.ended_at is None:
        when = _("%(start)s (still open)", start=_when(event.at))
    else:
        when = _when(event.at, fact.ended_at)
    return LogLine(when=when, text=f"{text} {pages}", support=True, reason=event.reason)


def access_log(*, merchant: Merchant, page: int) -> tuple[list[LogLine], Page]:
    """A page of the merchant's log, newest first, and where that page is."""
    query = (
        select(AuditEvent)
        .where(
            AuditEvent.merchant_id == merchant.id,
            AuditEvent.action.in_(visible_to(Audience.MERCHANT)),
            AuditEvent.action.not_in(FOLDED),
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    pagination = paginate(query, page=page, per_page=PER_PAGE)
    events: list[AuditEvent] = pagination.items
    starts = [e for e in events if e.action == "support.view.start"]
    facts = _view_facts(merchant, starts)
    lines = []
    for event in events:
        if event.action == "support.view.start":
            lines.append(
                _view_line(event, facts.get(str(event.details.get("view_id")), _ViewFacts()))
            )
        else:
            lines.append(
                LogLine(
                    when=_when(event.at),
                    text=describe(event),
                    support=bool(event.impersonator),
                    reason=event.reason,
                )
            )
    return lines, pagination
