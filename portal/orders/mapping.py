"""Turn a POS order into the body of Pongo's create-order call: a pure function, no I/O.

Every name written here comes from `portal.pongo.endpoints` (`Order`, `Customer`, `Line`),
which cites the reference page behind it; the names and values the reference does not
state (most of the body's names, the line and customer shapes, the enum values) are
guessed in `portal.pongo.inferred`, so a correction from Pongo is a one-place change.
An order without a customer goes with `customer` null (createanorder-1 allows it): the
Pongo tablet named by `tablet_id` then asks the customer at the counter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portal.pongo.endpoints import Customer, Line, Order

# E.164 allows at most 15 digits; fewer than 8 is no international mobile number.
MIN_PHONE_DIGITS = 8
MAX_PHONE_DIGITS = 15
# What people type between digits: spaces (incl. no-break), dots, dashes, slashes, brackets.
_PHONE_SEPARATORS = re.compile(r"[\s.\-/()\u00a0\u202f]")


class InvalidPhone(ValueError):
    """The phone number is not an international number."""


def normalise_phone(raw: str) -> str:
    """An international phone number as Pongo wants it: digits only, no `+` ("33612345678").

    Accepts `+33 6 12 34 56 78`, `+33.6.12.34.56.78` and `0033612345678`. A national
    number ("06 12 34 56 78") is refused: its country cannot be guessed safely.
    """
    compact = _PHONE_SEPARATORS.sub("", raw)
    if compact.startswith("+"):
        digits = compact[1:]
    elif compact.startswith("00"):
        digits = compact[2:]
    else:
        raise InvalidPhone("give the number in international format, starting with + (+33…)")
    if not digits.isascii() or not digits.isdigit():
        raise InvalidPhone("a phone number holds digits only, after the +")
    if digits.startswith("0"):
        raise InvalidPhone("the country code cannot start with 0")
    if not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
        raise InvalidPhone(
            f"an international number has {MIN_PHONE_DIGITS} to {MAX_PHONE_DIGITS} digits"
        )
    return digits


class InternationalPhone(str):
    """A phone number as the POS wrote it, checked once, with the digits Pongo wants."""

    digits: str

    def __new__(cls, raw: str) -> InternationalPhone:
        """Check `raw` (InvalidPhone otherwise) and keep its digits beside it."""
        phone = super().__new__(cls, raw)
        phone.digits = normalise_phone(raw)
        return phone

    @classmethod
    def digits_of(cls, phone: str | None) -> str | None:
        """The digits of a phone checked on arrival (checked now if it was not)."""
        if phone is None:
            return None
        return (phone if isinstance(phone, cls) else cls(phone)).digits


@dataclass(frozen=True)
class OrderEnums:
    """The four order fields whose allowed values Pongo has not published (from settings)."""

    channel: str
    delivery_mode: str
    status: str
    delivery_status: str


@dataclass(frozen=True)
class PosLine:
    """One line of a closed POS order."""

    sku: str
    name: str
    quantity: int
    unit_price_cents: int
    public_reward_id: str | None = None


@dataclass(frozen=True)
class PosOrder:
    """A closed, paid POS order, already validated."""

    order_ref: str
    total_cents: int
    tax_cents: int | None
    created_at: datetime
    lines: tuple[PosLine, ...]
    # The international digits, as `normalise_phone` gives them ("33612345678").
    customer_phone: str | None = None
    customer_public_id: str | None = None
    # Whether the customer accepted e-mail/SMS marketing; the POS must ask (POS guide).
    customer_has_optin: bool | None = None
    # The till that closed the order.
    device_id: str | None = None
    device_name: str | None = None


def pongo_order_id(order_ref: str) -> str:
    """The `order_id` Pongo gets: the POS order reference, unchanged.

    Pongo deduplicates on (order_id, store) and each merchant has its own stores, so no
    prefix is needed to keep merchants apart; the bare reference is what the merchant
    reads on the receipt and will search for in Pongo's back office.
    """
    return order_ref


def pongo_datetime(moment: datetime) -> str:
    """ISO 8601 with the POS's own offset, to the second (PHP `Y-m-d\\TH:i:sP`)."""
    if moment.tzinfo is None:
        raise ValueError("an order time needs its UTC offset")
    return moment.replace(microsecond=0).isoformat()


def reward_ids(lines: tuple[PosLine, ...]) -> list[str]:
    """The rewards used in the order: each reward line's id, once, in order of appearance."""
    seen: dict[str, None] = {}
    for line in lines:
        if line.public_reward_id:
            seen.setdefault(line.public_reward_id, None)
    return list(seen)


def pongo_line(line: PosLine) -> dict[str, Any]:
    """One order line: the SKU travels as rewards' `external_id` does."""
    item: dict[str, Any] = {
        Line.SKU: line.sku,
        Line.NAME: line.name,
        Line.QUANTITY: line.quantity,
        Line.UNIT_PRICE: line.unit_price_cents,
        Line.AMOUNT: line.quantity * line.unit_price_cents,
    }
    if line.public_reward_id:
        item[Line.REWARD_ID] = line.public_reward_id
    return item


def pongo_customer(order: PosOrder) -> dict[str, Any] | None:
    """The customer block (phone without `+`, public id, opt-in), or None when nobody identified."""
    customer: dict[str, Any] = {}
    if order.customer_phone:
        customer[Customer.PHONE] = order.customer_phone
    if order.customer_public_id:
        customer[Customer.PUBLIC_ID] = order.customer_public_id
    if not customer:
        return None
    if order.customer_has_optin is not None:
        customer[Customer.HAS_OPTIN] = order.customer_has_optin
    return customer


def to_pongo(
    order: PosOrder, *, store_slug: str, enums: OrderEnums, tablet_id: int | None = None
) -> dict[str, Any]:
    """The whole create-order body for one POS order in one Pongo store."""
    if not order.lines:
        raise ValueError("Pongo needs at least one order line")
    body: dict[str, Any] = {
        Order.ORDER_ID: pongo_order_id(order.order_ref),
        Order.STORE_SLUG: store_slug,
        Order.CHANNEL: enums.channel,
        Order.DELIVERY_MODE: enums.delivery_mode,
        Order.STATUS: enums.status,
        Order.DELIVERY_STATUS: enums.delivery_status,
        Order.AMOUNT: order.total_cents,
        Order.TAX_AMOUNT: order.tax_cents,
        Order.CREATED_AT: pongo_datetime(order.created_at),
        Order.REWARD_IDS: reward_ids(order.lines),
        Order.LINES: [pongo_line(line) for line in order.lines],
        Order.CUSTOMER: pongo_customer(order),
    }
    if tablet_id is not None:
        body[Order.TABLET_ID] = tablet_id
    if order.device_id is not None:
        body[Order.DEVICE_ID] = order.device_id
    if order.device_name is not None:
        body[Order.DEVICE_NAME] = order.device_name
    return body
