"""The merchant's access log: audit events in plain words, support views folded into one line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Integer, bindparam, select

from portal.audit.actions import NAMED_DETAILS, Audience, describe, visible_to
from portal.extensions import db
from portal.listing import Listing, Page
from portal.models.audit import AuditEvent
from portal.models.locations import Location, PongoStore
from portal.models.merchant import Merchant
from portal.moments import during, when

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
    # The codes the sentence names by their names, for support ("Technical details").
    codes: tuple[str, ...] = ()


def _when(start: datetime, end: datetime | None = None) -> str:
    return when(start) if end is None else during(start, end)


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


# Details that hold a location's ref, and those that hold a Pongo store's slug.
LOCATION_KEYS = ("location",)
STORE_KEYS = ("old", "new")
assert set(LOCATION_KEYS + STORE_KEYS) == set(NAMED_DETAILS)


def _codes(event: AuditEvent, keys: tuple[str, ...]) -> list[str]:
    return [str(event.details[k]) for k in keys if (event.details or {}).get(k) is not None]


def _names(merchant: Merchant, events: list[AuditEvent]) -> dict[str, str]:
    """Names for the location refs and store slugs these events' details hold."""
    linking = [e for e in events if e.action.startswith("location.")]
    refs = {code for e in linking for code in _codes(e, LOCATION_KEYS)}
    slugs = {code for e in linking for code in _codes(e, STORE_KEYS)}
    names: dict[str, str] = {}
    if refs:
        names |= dict(
            db.session.execute(
                select(Location.ref, Location.name).where(
                    Location.merchant_id == merchant.id, Location.ref.in_(refs)
                )
            ).all()
        )
    if slugs:
        names |= {
            slug: f"“{name}”"
            for slug, name in db.session.execute(
                select(PongoStore.slug, PongoStore.name).where(
                    PongoStore.merchant_id == merchant.id, PongoStore.slug.in_(slugs)
                )
            ).all()
        }
    return names


# The merchant's log, newest first, built once for any merchant.
_LOG = Listing.of(
    select(AuditEvent)
    .where(
        AuditEvent.merchant_id == bindparam("merchant_id", type_=Integer),
        AuditEvent.action.in_(visible_to(Audience.MERCHANT)),
        AuditEvent.action.not_in(FOLDED),
    )
    .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
)


def access_log(*, merchant: Merchant, page: int) -> tuple[list[LogLine], Page]:
    """A page of the merchant's log, newest first, and where that page is."""
    pagination = _LOG.page({"merchant_id": merchant.id}, page=page, per_page=PER_PAGE)
    events: list[AuditEvent] = pagination.items
    starts = [e for e in events if e.action == "support.view.start"]
    facts = _view_facts(merchant, starts)
    names = _names(merchant, events)
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
                    text=describe(event, names),
                    support=bool(event.impersonator),
                    reason=event.reason,
                    codes=tuple(
                        code for code in _codes(event, LOCATION_KEYS + STORE_KEYS) if code in names
                    ),
                )
            )
    return lines, pagination
