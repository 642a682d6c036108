"""Turn a POS order into the body of Pongo's `POST /v1/orders`: a pure function, no I/O.

What PONGO-API.md confirms: `order_id` (idempotent per store), `loyalty_store_slug`,
`reward_ids`, `lines` (at least one), `customer`, amounts in cents. The names of the
other fields, the line and customer shapes and the four enum values are inferred; they
are kept in this one module so that a correction from Pongo is a one-place change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
    """One order line: the SKU travels as `external_id`, as in rewards' `external_id`."""
    item: dict[str, Any] = {
        "external_id": line.sku,
        "name": line.name,
        "quantity": line.quantity,
        "unit_price": line.unit_price_cents,
        "amount": line.quantity * line.unit_price_cents,
    }
    if line.public_reward_id:
        item["public_reward_id"] = line.public_reward_id
    return item


def pongo_customer(order: PosOrder) -> dict[str, str]:
    """The customer block: the phone without `+` and/or the customer's public id."""
    customer: dict[str, str] = {}
    if order.customer_phone:
        customer["phone"] = order.customer_phone
    if order.customer_public_id:
        customer["public_id"] = order.customer_public_id
    return customer


def to_pongo(order: PosOrder, *, store_slug: str, enums: OrderEnums) -> dict[str, Any]:
    """The whole create-order body for one POS order in one Pongo store."""
    if not order.lines:
        raise ValueError("Pongo needs at least one order line")
    customer = pongo_customer(order)
    if not customer:
        raise ValueError("Pongo needs the customer's phone number or public id")
    body: dict[str, Any] = {
        "order_id": pongo_order_id(order.order_ref),
        "loyalty_store_slug": store_slug,
        "channel": enums.channel,
        "delivery_mode": enums.delivery_mode,
        "status": enums.status,
        "delivery_status": enums.delivery_status,
        "amount": order.total_cents,
        "tax_amount": order.tax_cents,
        "created_at": pongo_datetime(order.created_at),
        "reward_ids": reward_ids(order.lines),
        "lines": [pongo_line(line) for line in order.lines],
        "customer": customer,
    }
    # The QA checklist names the identifiers at the top level; sending them there as well
    # costs nothing and covers both readings of the docs.
    if "phone" in customer:
        body["customer_phone"] = customer["phone"]
    if "public_id" in customer:
        body["customer_public_id"] = customer["public_id"]
    return body
