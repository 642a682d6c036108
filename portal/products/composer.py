"""The SKU list being composed on the Products page: the selection in the URL, its warnings.

The selection is carried by the page's query string: `sel` for this POS's SKUs in the
merchant's order, `keep` for other systems' codes that stay at the end of the list, and
`reward` for the Pongo reward being edited. A submitted page adds `shown` (the SKUs of its
boxes) and `tick` (the ticked ones), which `apply_ticks` folds into the selection.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select

from portal.extensions import db
from portal.models.merchant import Merchant
from portal.models.products import Product
from portal.models.rewards import PongoReward
from portal.rewards.sku_text import parse_external_id

# A reward's list rarely holds more than a dozen SKUs; the caps keep URLs of sane length.
MAX_SELECTED = 100
MAX_KEPT = 50
MAX_CODE = 128


@dataclass(frozen=True)
class Selection:
    """The SKU list being composed: this POS's SKUs, then other systems' codes kept as typed."""

    skus: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    reward: str | None = None

    @property
    def external_id(self) -> str:
        """The text to paste in Pongo's SKU field."""
        return ",".join((*self.skus, *self.kept))

    def args(self) -> dict[str, Any]:
        """The selection as query-string arguments."""
        args: dict[str, Any] = {}
        if self.skus:
            args["sel"] = list(self.skus)
        if self.kept:
            args["keep"] = list(self.kept)
        if self.reward:
            args["reward"] = self.reward
        return args

    def cleared(self) -> Selection:
        """No SKU and no kept code, still for the same reward."""
        return Selection(reward=self.reward)

    def without(self, code: str) -> Selection:
        """The same selection with one SKU or kept code removed."""
        return Selection(
            skus=tuple(s for s in self.skus if s != code),
            kept=tuple(k for k in self.kept if k != code),
            reward=self.reward,
        )


@dataclass(frozen=True)
class RewardRef:
    """A cached Pongo reward pointing at a product."""

    public_id: str
    name: str


class WarningKind(enum.Enum):
    """Something the merchant should know about a composed SKU."""

    PAID_OPTIONS = "paid_options"
    SHARED = "shared"
    ARCHIVED = "archived"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SkuWarning:
    """One warning about one SKU of the composed list."""

    kind: WarningKind
    sku: str
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Composer:
    """The composed list, what it means for the customer and what to watch out for."""

    selection: Selection
    warnings: tuple[SkuWarning, ...]
    # Reward being edited, when the composer was opened from the Rewards page.
    reward: RewardRef | None = None
    # SKU -> product names, to list what was ticked.
    names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _codes(values: Iterable[str], limit: int) -> tuple[str, ...]:
    """Distinct, trimmed codes in order; a code with a comma could not live in the list."""
    seen: list[str] = []
    for value in values:
        code = value.strip()
        if code and "," not in code and len(code) <= MAX_CODE and code not in seen:
            seen.append(code)
    return tuple(seen[:limit])


def apply_ticks(
    selected: Sequence[str], shown: Iterable[str], ticked: Iterable[str]
) -> tuple[str, ...]:
    """The selection after the page's boxes were submitted: order kept, new ticks at the end.

    A SKU shown on the page stays only if one of its boxes is ticked; SKUs on other pages
    stay as they were.
    """
    shown_set, ticked_list = set(shown), list(ticked)
    ticked_set = set(ticked_list)
    kept = [sku for sku in selected if sku not in shown_set or sku in ticked_set]
    return tuple(dict.fromkeys([*kept, *ticked_list]))


def parse_selection(
    *,
    selected: Sequence[str],
    kept: Sequence[str],
    shown: Sequence[str],
    ticked: Sequence[str],
    reward: str | None,
) -> Selection:
    """The composer's selection from untrusted query-string lists."""
    skus = apply_ticks(_codes(selected, MAX_SELECTED), _codes(shown, 1000), _codes(ticked, 1000))
    kept_codes = tuple(k for k in _codes(kept, MAX_KEPT) if k not in skus)
    return Selection(
        skus=skus[:MAX_SELECTED],
        kept=kept_codes,
        reward=(reward or "").strip()[:MAX_CODE] or None,
    )


class Carrier(NamedTuple):
    """What the composer reads of a product carrying a selected SKU."""

    sku: str
    name: str
    archived_at: datetime | None
    has_paid_options: bool

    @property
    def active(self) -> bool:
        """True unless the POS left this product out of its last full catalogue."""
        return self.archived_at is None


def products_by_sku(merchant: Merchant, skus: Iterable[str]) -> dict[str, list[Carrier]]:
    """The merchant's products (archived ones too) carrying each of these SKUs."""
    wanted = sorted(set(skus))
    found: dict[str, list[Carrier]] = defaultdict(list)
    if not wanted:
        return found
    rows = db.session.execute(
        select(Product.sku, Product.name, Product.archived_at, Product.has_paid_options)
        .where(Product.merchant_id == merchant.id, Product.sku.in_(wanted))
        .order_by(Product.search_text, Product.ref)
    ).all()
    for row in rows:
        found[row.sku].append(Carrier(*row))
    return found


def composed_warnings(
    skus: Iterable[str], products: Mapping[str, Sequence[Carrier]]
) -> tuple[SkuWarning, ...]:
    """What to watch out for in a composed list, SKU by SKU in the list's order."""
    warnings: list[SkuWarning] = []
    for sku in skus:
        carrying = products.get(sku, ())
        active = [p for p in carrying if p.active]
        if not carrying:
            warnings.append(SkuWarning(WarningKind.UNKNOWN, sku))
            continue
        if not active:
            names = tuple(p.name for p in carrying)
            warnings.append(SkuWarning(WarningKind.ARCHIVED, sku, names))
        if len(active) > 1:
            warnings.append(SkuWarning(WarningKind.SHARED, sku, tuple(p.name for p in active)))
        paid = tuple(p.name for p in (active or carrying) if p.has_paid_options)
        if paid:
            warnings.append(SkuWarning(WarningKind.PAID_OPTIONS, sku, paid))
    return tuple(warnings)


def find_reward(merchant: Merchant, public_id: str | None) -> PongoReward | None:
    """One of the merchant's cached Pongo rewards by its public id."""
    if not public_id:
        return None
    return db.session.scalar(
        select(PongoReward).where(
            PongoReward.merchant_id == merchant.id, PongoReward.public_id == public_id
        )
    )


def compose(merchant: Merchant, selection: Selection) -> Composer:
    """The composer's state for a selection: warnings, names and the reward being edited."""
    products = products_by_sku(merchant, selection.skus)
    reward = find_reward(merchant, selection.reward)
    return Composer(
        selection=selection,
        warnings=composed_warnings(selection.skus, products),
        reward=RewardRef(reward.public_id, reward.name) if reward else None,
        names={sku: tuple(p.name for p in found) for sku, found in products.items()},
    )


def selection_from_reward(merchant: Merchant, public_id: str) -> Selection | None:
    """A reward's SKU list split for the composer: this POS's SKUs, then other codes kept."""
    reward = find_reward(merchant, public_id)
    if reward is None:
        return None
    tokens = parse_external_id(reward.raw_external_id)
    ours = set(products_by_sku(merchant, tokens))
    return Selection(
        skus=tuple(t for t in tokens if t in ours)[:MAX_SELECTED],
        kept=tuple(t for t in tokens if t not in ours)[:MAX_KEPT],
        reward=reward.public_id,
    )
