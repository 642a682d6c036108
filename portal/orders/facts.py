"""What a person reads on an order's page: the lines, a masked phone, whether to reconnect."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal.models.connection import ConnectionStatus
from portal.models.merchant import Merchant
from portal.pongo.connection import request_connection

# Digits of a phone shown at each end; the rest is hidden.
SHOWN_AT_START = 2
SHOWN_AT_END = 2


@dataclass(frozen=True)
class Line:
    """One order line as sent: quantity, product name, SKU, amount in cents."""

    quantity: int
    name: str
    sku: str
    amount_cents: int | None
    reward: bool


def masked_phone(digits: object) -> str | None:
    """An international number with its middle hidden ("+33 ••••••• 78"); None when absent."""
    if not isinstance(digits, str) or not digits.isdigit():
        return None
    if len(digits) <= SHOWN_AT_START + SHOWN_AT_END:
        return "+" + "•" * len(digits)
    hidden = "•" * (len(digits) - SHOWN_AT_START - SHOWN_AT_END)
    return f"+{digits[:SHOWN_AT_START]} {hidden} {digits[-SHOWN_AT_END:]}"


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def lines_of(payload: Mapping[str, Any]) -> list[Line]:
    """The lines of what was sent to Pongo, whatever shape they came in."""
    found = []
    for item in payload.get("lines") or []:
        if not isinstance(item, Mapping):
            continue
        found.append(
            Line(
                quantity=_int(item.get("quantity")) or 1,
                name=str(item.get("name") or ""),
                sku=str(item.get("external_id") or ""),
                amount_cents=_int(item.get("amount")),
                reward=bool(item.get("public_reward_id")),
            )
        )
    return found


def customer_of(payload: Mapping[str, Any]) -> str | None:
    """The customer's phone, masked, as sent to Pongo."""
    customer = payload.get("customer")
    phone = customer.get("phone") if isinstance(customer, Mapping) else None
    return masked_phone(phone)


def needs_reconnection(merchant: Merchant) -> bool:
    """Whether Pongo refuses the portal's access until the merchant reconnects."""
    connection = request_connection(merchant)
    return connection is not None and connection.status == ConnectionStatus.NEEDS_RECONNECTION
