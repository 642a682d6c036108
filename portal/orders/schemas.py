"""The POS API's order bodies: a closed order in, its relay status out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from portal.api.schemas import _PRINTABLE, MAX_CENTS, ProductName, Ref, _Body
from portal.orders.mapping import InvalidPhone, normalise_phone

MAX_LINES = 500
MAX_QUANTITY = 10_000

Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=_PRINTABLE),
]


class CustomerIn(_Body):
    """Who earns the points: a phone number, a Pongo customer public id, or both."""

    phone: Phone | None = Field(
        None, description="International format, e.g. +33612345678 (spaces and dots allowed)"
    )
    public_id: Ref | None = Field(None, description="The Pongo customer's public id (QR code)")

    @field_validator("phone")
    @classmethod
    def _international(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                normalise_phone(value)
            except InvalidPhone as error:
                raise ValueError(str(error)) from None
        return value

    @model_validator(mode="after")
    def _one_identifier(self) -> CustomerIn:
        if not self.phone and not self.public_id:
            raise ValueError("give the customer's phone or public_id")
        return self


class LineIn(_Body):
    """One line of the order; a line paid with a Pongo reward carries its public id."""

    sku: Ref
    name: ProductName
    quantity: int = Field(ge=1, le=MAX_QUANTITY)
    unit_price_cents: int = Field(ge=0, le=MAX_CENTS)
    public_reward_id: Ref | None = None


class OrderIn(_Body):
    """A closed, paid order, posted as soon as it is paid."""

    order_ref: Ref = Field(description="The POS's order id; the same ref twice is one order")
    location_ref: Ref
    total_cents: int = Field(ge=0, le=MAX_CENTS)
    tax_cents: int | None = Field(None, ge=0, le=MAX_CENTS)
    created_at: AwareDatetime = Field(description="ISO 8601 with a UTC offset")
    customer: CustomerIn
    lines: list[LineIn] = Field(min_length=1, max_length=MAX_LINES)

    @field_validator("created_at")
    @classmethod
    def _has_a_utc_moment(cls, value: datetime) -> datetime:
        # 0001-01-01T00:00:00+01:00 is a valid ISO date whose UTC moment is before year 1:
        # refused here, so that no later step (storage, the relay) meets a date it cannot
        # convert. The POS's own offset is kept: Pongo receives it as sent.
        try:
            value.astimezone(UTC)
        except OverflowError:
            raise ValueError("the date is out of range once converted to UTC") from None
        return value


RelayState = Literal["pending", "delivered", "failed", "paused"]


class OrderAccepted(BaseModel):
    """The order is stored and will be relayed; poll its status with the order_ref."""

    relay_id: str
    order_ref: str
    status: RelayState
    loyalty_store_slug: str


class OrderStatusOut(BaseModel):
    """Where an order stands on its way to Pongo."""

    relay_id: str
    order_ref: str
    location_ref: str
    loyalty_store_slug: str
    status: RelayState
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None = Field(description="When the next try is due (pending)")
    pongo_order_id: str | None
    delivered_at: datetime | None
    received_at: datetime
