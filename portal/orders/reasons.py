"""Why an order is not delivered, as a sentence in the reader's language.

The relay stores Pongo's answer (HTTP status, raw body, field errors) and a technical
reason in English; pages turn them into one plain sentence with what to do next.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from portal.models.orders import RelayStatus

# Pongo's order fields (list indexes removed) and what a merchant reads about each.
FIELD_SENTENCES: dict[str, LazyString] = {
    "customer_phone": _l(
        "Pongo refused this order: the customer's phone number is not valid. "
        "Fix it in your POS, then press Retry."
    ),
    "customer.phone": _l(
        "Pongo refused this order: the customer's phone number is not valid. "
        "Fix it in your POS, then press Retry."
    ),
    "customer_public_id": _l(
        "Pongo refused this order: Pongo does not know this customer. "
        "Check the customer in your POS, then press Retry."
    ),
    "customer.public_id": _l(
        "Pongo refused this order: Pongo does not know this customer. "
        "Check the customer in your POS, then press Retry."
    ),
    "customer": _l(
        "Pongo refused this order: the customer is missing or not valid. "
        "Fix it in your POS, then press Retry."
    ),
    "reward_ids": _l(
        "Pongo refused this order: a reward used on it is not valid. "
        "Check the reward in your POS, then press Retry."
    ),
    "lines.public_reward_id": _l(
        "Pongo refused this order: a reward used on it is not valid. "
        "Check the reward in your POS, then press Retry."
    ),
    "loyalty_store_slug": _l(
        "Pongo refused this order: the Pongo store linked to this location no longer "
        "exists. Link the location again on the Locations page, then press Retry."
    ),
    "amount": _l(
        "Pongo refused this order: its total is not valid. Fix it in your POS, then press Retry."
    ),
    "tax_amount": _l(
        "Pongo refused this order: its tax amount is not valid. "
        "Fix it in your POS, then press Retry."
    ),
    "created_at": _l(
        "Pongo refused this order: its date is not valid. Fix it in your POS, then press Retry."
    ),
    "lines": _l(
        "Pongo refused this order: one of its lines is not valid. "
        "Fix it in your POS, then press Retry."
    ),
}
GENERIC_REFUSAL = _l(
    "Pongo refused this order. Check it in your POS, then press Retry; "
    "the technical details below say what Pongo answered."
)

_INDEX = re.compile(r"\.\d+(?=\.|$)")


def field_key(field: str) -> str:
    """A Pongo field path without its list indexes (`lines.0.sku` becomes `lines.sku`)."""
    return _INDEX.sub("", field)


def refusal_sentences(field_errors: Mapping[str, Any]) -> list[str]:
    """One sentence per kind of field Pongo refused, the generic one for unknown fields."""
    sentences: list[str] = []
    for field in field_errors:
        key = field_key(str(field))
        known = FIELD_SENTENCES.get(key)
        if known is None and key.startswith("lines."):
            known = FIELD_SENTENCES["lines"]
        sentence = str(known if known is not None else GENERIC_REFUSAL)
        if sentence not in sentences:
            sentences.append(sentence)
    return sentences or [str(GENERIC_REFUSAL)]


def plain_reason(
    *,
    status: str,
    answer: Mapping[str, Any] | None,
    paused_days: int,
    erased: bool = False,
) -> str | None:
    """Why the order is not delivered, in plain words; None when there is nothing to say."""
    sentence: str
    if status == RelayStatus.PAUSED:
        sentence = _(
            "Waiting for your Pongo connection: reconnect Pongo and this order is sent; "
            "nothing is lost."
        )
        return sentence
    if status == RelayStatus.EXPIRED:
        sentence = _(
            "This order waited more than %(days)d days for a Pongo connection and is no "
            "longer sent.",
            days=paused_days,
        )
        return sentence
    if status == RelayStatus.CANCELLED:
        sentence = _("This order was not sent: its customer's data was erased before it could go.")
        return sentence
    if status != RelayStatus.FAILED:
        return None
    if erased:
        sentence = _(
            "This order failed, and its customer's data has since been erased: "
            "it is not sent again."
        )
        return sentence
    code = (answer or {}).get("status_code")
    if isinstance(code, int) and 400 <= code < 500 and code not in (408, 429):
        if code == 422:
            return " ".join(refusal_sentences((answer or {}).get("field_errors") or {}))
        return str(GENERIC_REFUSAL)
    # Pongo recognises an order it already has, so sending it again is always safe.
    sentence = _("Pongo did not answer after several tries. Press Retry to send it again.")
    return sentence
