"""The POS order → Pongo body mapping, by example and by property."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.orders.mapping import (
    InternationalPhone,
    InvalidPhone,
    OrderEnums,
    PosLine,
    PosOrder,
    normalise_phone,
    to_pongo,
)

PARIS_WINTER = timezone(timedelta(hours=1))
ENUMS = OrderEnums(
    channel="pos", delivery_mode="on_site", status="completed", delivery_status="delivered"
)


def order(**changes: object) -> PosOrder:
    fields: dict[str, object] = {
        "order_ref": "POS-1",
        "total_cents": 1250,
        "tax_cents": 110,
        "created_at": datetime(2026, 11, 27, 9, 30, tzinfo=PARIS_WINTER),
        "lines": (
            PosLine("BAK-001", "Croissant", 2, 450),
            PosLine("CAF-001", "Coffee", 1, 350, "rew_0ece003f2e"),
        ),
        "customer_phone": "33612345678",
    }
    fields.update(changes)
    return PosOrder(**fields)  # type: ignore[arg-type]


def test_whole_body_for_a_closed_order() -> None:
    body = to_pongo(order(), store_slug="lumiere-paris-11", enums=ENUMS)
    assert body == {
        "order_id": "POS-1",
        "loyalty_store_slug": "lumiere-paris-11",
        "channel": "pos",
        "delivery_mode": "on_site",
        "status": "completed",
        "delivery_status": "delivered",
        "amount": 1250,
        "tax_amount": 110,
        "created_at": "2026-11-27T09:30:00+01:00",
        "reward_ids": ["rew_0ece003f2e"],
        "lines": [
            {
                "external_id": "BAK-001",
                "name": "Croissant",
                "quantity": 2,
                "unit_price": 450,
                "amount": 900,
            },
            {
                "external_id": "CAF-001",
                "name": "Coffee",
                "quantity": 1,
                "unit_price": 350,
                "amount": 350,
                "public_reward_id": "rew_0ece003f2e",
            },
        ],
        "customer": {"phone": "33612345678"},
        "customer_phone": "33612345678",
    }


def test_enums_come_from_settings() -> None:
    enums = OrderEnums(
        channel="kiosk", delivery_mode="takeaway", status="paid", delivery_status="x"
    )
    body = to_pongo(order(), store_slug="s", enums=enums)
    assert [body[k] for k in ("channel", "delivery_mode", "status", "delivery_status")] == [
        "kiosk",
        "takeaway",
        "paid",
        "x",
    ]


def test_public_id_alone_identifies_the_customer() -> None:
    body = to_pongo(
        order(customer_phone=None, customer_public_id="cus_1"), store_slug="s", enums=ENUMS
    )
    assert body["customer"] == {"public_id": "cus_1"}
    assert body["customer_public_id"] == "cus_1"
    assert "customer_phone" not in body


def test_order_without_customer_or_lines_is_refused() -> None:
    with pytest.raises(ValueError, match="customer"):
        to_pongo(order(customer_phone=None), store_slug="s", enums=ENUMS)
    with pytest.raises(ValueError, match="line"):
        to_pongo(order(lines=()), store_slug="s", enums=ENUMS)


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("+33612345678", "33612345678"),
        ("+33 6 12 34 56 78", "33612345678"),
        ("+33.6.12.34.56.78", "33612345678"),
        ("0033 6-12-34-56-78", "33612345678"),
        ("+1 (415) 555-0100", "14155550100"),
        ("+33\u00a06\u202f12 34 56 78", "33612345678"),
    ],
)
def test_phone_becomes_digits_without_plus(raw: str, digits: str) -> None:
    assert normalise_phone(raw) == digits


@pytest.mark.parametrize(
    "raw", ["0612345678", "+33 6 12 AB", "+123", "+0612345678", "+٣٣٦١٢٣٤٥٦٧٨"]
)
def test_national_or_broken_phone_is_refused(raw: str) -> None:
    with pytest.raises(InvalidPhone):
        normalise_phone(raw)


lines = st.lists(
    st.builds(
        PosLine,
        sku=st.text(min_size=1, max_size=20),
        name=st.text(min_size=1, max_size=40),
        quantity=st.integers(1, 10_000),
        unit_price_cents=st.integers(0, 10**7),
        public_reward_id=st.none() | st.sampled_from(["rew_a", "rew_b", "rew_c"]),
    ),
    min_size=1,
    max_size=20,
).map(tuple)
offsets = st.integers(-12 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.builds(
    lambda seconds, tz: (
        datetime(2020, 1, 1, tzinfo=UTC).astimezone(tz) + timedelta(seconds=seconds)
    ),
    st.integers(0, 10 * 365 * 86400),
    offsets,
)
phones = st.builds(
    lambda country, rest, sep: (
        "+" + country + sep + sep.join(rest[i : i + 2] for i in range(0, len(rest), 2))
    ),
    st.integers(1, 999).map(str),
    st.text("0123456789", min_size=7, max_size=11),
    st.sampled_from(["", " ", ".", "-"]),
)


@given(
    ref=st.text(min_size=1, max_size=128),
    total=st.integers(0, 2**31 - 1),
    tax=st.none() | st.integers(0, 2**31 - 1),
    created=moments,
    order_lines=lines,
    phone=st.none() | phones,
    public_id=st.none() | st.text(min_size=1, max_size=30),
)
def test_mapping_properties(
    ref: str,
    total: int,
    tax: int | None,
    created: datetime,
    order_lines: tuple[PosLine, ...],
    phone: str | None,
    public_id: str | None,
) -> None:
    digits = InternationalPhone.digits_of(phone)
    pos = PosOrder(ref, total, tax, created, order_lines, digits, public_id)
    if phone is None and public_id is None:
        with pytest.raises(ValueError, match="customer"):
            to_pongo(pos, store_slug="store", enums=ENUMS)
        return
    body = to_pongo(pos, store_slug="store", enums=ENUMS)
    # Idempotency rests on a stable order_id and store.
    assert body["order_id"] == ref
    assert body["loyalty_store_slug"] == "store"
    assert (body["amount"], body["tax_amount"]) == (total, tax)
    # The time keeps its instant and its offset.
    sent = datetime.fromisoformat(body["created_at"])
    assert sent == created.replace(microsecond=0)
    assert sent.utcoffset() == created.utcoffset()
    # Every line travels, in order, with its SKU and whole-cent amounts.
    assert [item["external_id"] for item in body["lines"]] == [line.sku for line in order_lines]
    for item, line in zip(body["lines"], order_lines, strict=True):
        assert item["amount"] == line.quantity * line.unit_price_cents
        assert item.get("public_reward_id") == line.public_reward_id
    # reward_ids: each reward line's id once, in order of appearance.
    used = [line.public_reward_id for line in order_lines if line.public_reward_id]
    assert body["reward_ids"] == list(dict.fromkeys(used))
    if phone is not None:
        assert body["customer"]["phone"].isdigit()
        assert body["customer"]["phone"] == "".join(c for c in phone if c.isdigit())
    assert body == to_pongo(pos, store_slug="store", enums=ENUMS)
