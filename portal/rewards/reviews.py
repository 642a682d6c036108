"""The merchant's reviews of rewards: "I checked this one, it is fine as it is".

A review is given for the reward's external_id as it was then (kept as a SHA-256 hash):
when the SKUs change in Pongo and the rewards are refreshed, the hash no longer matches,
the review lapses and the reward needs the merchant's attention again. Reviews survive
refreshes because they live apart from the cache of rewards, keyed by Pongo's public id.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, bindparam, select

from portal.audit.actor import Actor
from portal.audit.services import record
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.merchant import Merchant
from portal.models.rewards import ReviewedReward

MAX_NOTE = 500


class ReviewReason(enum.Enum):
    """Why the merchant accepts a reward that the portal flags."""

    PRODUCT_INTENDED = "product_intended"
    OTHER_PARTNER = "other_partner"
    PAID_OPTIONS_CHARGED = "paid_options_charged"
    SHARED_SKU_INTENDED = "shared_sku_intended"
    NOT_A_PRODUCT = "not_a_product"
    OTHER = "other"


class ReviewError(ValueError):
    """A review the rules refuse; the message is shown to the merchant."""


class ReviewChanged(Exception):
    """The review was given, changed or withdrawn elsewhere since the page was drawn."""


@dataclass(frozen=True)
class Acceptance:
    """A stored review as the page shows it; `current` is False once the SKUs changed."""

    reason: ReviewReason
    note: str | None
    by: str
    at: datetime
    current: bool

    @property
    def version(self) -> str:
        """What a page carries to tell whether the review changed since it was drawn."""
        return version_of(self.at)


def version_of(reviewed_at: datetime | None) -> str:
    """A review's version: when it was given ("" for no review)."""
    # Only the wall-clock digits: SQLite hands the time back without its zone.
    return reviewed_at.strftime("%Y%m%d%H%M%S%f") if reviewed_at else ""


def external_id_hash(raw_external_id: str | None) -> str:
    """The fingerprint a review is tied to: SHA-256 of the external_id exactly as Pongo sent it."""
    return hashlib.sha256((raw_external_id or "").encode("utf-8")).hexdigest()


# Every review of one merchant, built once: each rewards view and each guided page reads them.
_REVIEWS = select(ReviewedReward).where(
    ReviewedReward.merchant_id == bindparam("merchant_id", type_=Integer)
)


def acceptances(merchant: Merchant, raw_by_id: dict[str, str | None]) -> dict[str, Acceptance]:
    """The merchant's reviews of the given rewards, each marked current or lapsed."""
    rows = db.session.scalars(_REVIEWS, {"merchant_id": merchant.id})
    found: dict[str, Acceptance] = {}
    for row in rows:
        if row.public_id not in raw_by_id:
            continue
        try:
            reason = ReviewReason(row.reason)
        except ValueError:
            reason = ReviewReason.OTHER
        found[row.public_id] = Acceptance(
            reason=reason,
            note=row.note,
            by=row.reviewed_by,
            at=row.reviewed_at,
            current=row.external_id_hash == external_id_hash(raw_by_id[row.public_id]),
        )
    return found


def _stored(merchant: Merchant, public_id: str, drawn: str) -> ReviewedReward | None:
    """The stored review, locked; ReviewChanged unless it is the one the page was drawn with."""
    row = db.session.scalar(
        select(ReviewedReward)
        .where(ReviewedReward.merchant_id == merchant.id, ReviewedReward.public_id == public_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if version_of(row.reviewed_at if row else None) != drawn:
        raise ReviewChanged(public_id)
    return row


def _audit(
    action: str,
    row: ReviewedReward,
    *,
    merchant: Merchant,
    actor: Actor,
    name: str,
    note: str | None = None,
    **more: str | None,
) -> None:
    """Write a review's change and audit it with the reward's id and name and the reason."""
    db.session.flush()
    details = {"public_id": row.public_id, "name": name, "reason": row.reason, **more}
    record(action, actor=actor, merchant=merchant, details=details, reason=note)


def mark_reviewed(
    *,
    merchant: Merchant,
    public_id: str,
    name: str,
    raw_external_id: str | None,
    reason: ReviewReason,
    note: str | None,
    actor: Actor,
    drawn: str,
) -> None:
    """Record that the merchant accepts this reward for its current external_id; audited.

    `drawn` is the review's version on the page the merchant saw: a review given, changed
    or withdrawn since is not overwritten (ReviewChanged).
    """
    note = (note or "").strip()[:MAX_NOTE] or None
    if reason is ReviewReason.OTHER and not note:
        raise ReviewError("Say in a few words why this reward is fine as it is.")
    row = _stored(merchant, public_id, drawn) or ReviewedReward(
        merchant_id=merchant.id, public_id=public_id
    )
    row.external_id_hash = external_id_hash(raw_external_id)
    row.reason = reason.value
    row.note = note
    row.reviewed_by = actor.name[:200]
    row.reviewed_at = utcnow()
    db.session.add(row)
    _audit(
        "reward.review",
        row,
        merchant=merchant,
        actor=actor,
        name=name,
        note=note,
        external_id=raw_external_id,
    )


def unmark_reviewed(
    *, merchant: Merchant, public_id: str, name: str, actor: Actor, drawn: str
) -> bool:
    """Withdraw the merchant's review of a reward; audited. False when there was none.

    Like `mark_reviewed`, refuses (ReviewChanged) when the review is not the one drawn.
    """
    row = _stored(merchant, public_id, drawn)
    if row is None:
        return False
    db.session.delete(row)
    _audit("reward.unreview", row, merchant=merchant, actor=actor, name=name)
    return True
