"""The POS API's bodies, defined once: requests are validated and OpenAPI is built from these.

Every request and response model of the API lives here, for every resource; the domain
packages take and return plain values and never import this module.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from babel.numbers import list_currencies
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from portal.orders.mapping import InternationalPhone, InvalidPhone

# Control characters are refused everywhere: PostgreSQL cannot store NUL, and CR/LF in
# a name could forge log lines or break CSV exports.
_PRINTABLE = r"^[^\x00-\x1f\x7f]*$"

Ref = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128, pattern=_PRINTABLE)
]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=_PRINTABLE)
]
ProductName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300, pattern=_PRINTABLE)
]


Locale = Literal["en", "fr", "fr-CA"]


def _known_currency(code: str) -> str:
    if code not in list_currencies():
        raise ValueError("not an ISO 4217 currency code")
    return code


Currency = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{3}$"),
    AfterValidator(_known_currency),
    Field(description="ISO 4217 code, three uppercase letters (default EUR)", examples=["EUR"]),
]
MAX_LOCATIONS = 10_000
MAX_PRODUCTS = 100_000
MAX_CENTS = 2**31 - 1
MAX_LINES = 500
MAX_QUANTITY = 10_000


class _Body(BaseModel):
    """Bodies ignore unknown keys so that the POS may send more than the portal reads."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class MerchantIn(_Body):
    """Create or rename a merchant."""

    name: Name
    locale: Locale | None = None
    # Amounts are shown in it; left out, a new merchant gets EUR and an existing one keeps its own.
    currency: Currency | None = None


class MerchantOut(BaseModel):
    """A merchant as the portal knows it."""

    ref: str
    name: str
    locale: str | None
    currency: str


class LocationIn(_Body):
    """One POS location; `ref` is the POS's own id for it."""

    ref: Ref
    name: Name
    address: Annotated[str | None, StringConstraints(max_length=300, pattern=_PRINTABLE)] = None
    city: Annotated[str | None, StringConstraints(max_length=120, pattern=_PRINTABLE)] = None
    postal_code: Annotated[str | None, StringConstraints(max_length=20, pattern=_PRINTABLE)] = None
    country: Annotated[str | None, StringConstraints(to_upper=True, pattern=r"^[A-Za-z]{2}$")] = (
        Field(None, description="ISO 3166-1 alpha-2 code")
    )


class LocationsIn(_Body):
    """The full set of the merchant's locations; those left out are archived."""

    locations: list[LocationIn] = Field(max_length=MAX_LOCATIONS)


class LocationOut(BaseModel):
    """A location with the Pongo store it is linked to."""

    ref: str
    name: str
    address: str | None
    city: str | None
    postal_code: str | None
    country: str | None
    active: bool
    loyalty_store_slug: str | None = Field(
        description="The linked Pongo store; null when unlinked or marked as having none"
    )
    pongo_store: Literal["linked", "unlinked", "none"] = Field(
        description=(
            "linked: orders go to the store in loyalty_store_slug; none: the merchant marked"
            " this location as having no Pongo store (a central kitchen, a warehouse);"
            " unlinked: not decided yet. Orders of a location that is not linked are refused."
        )
    )


class LocationsOut(BaseModel):
    """Every location of the merchant, active and archived."""

    locations: list[LocationOut]


class RewardOut(BaseModel):
    """A Pongo reward with the SKUs of this POS it maps to."""

    public_reward_id: str = Field(description="Pongo's reward id, sent back on order lines")
    name: str
    status: Literal["ready", "check", "not_redeemable", "no_sku"] = Field(
        description="ready: at least one SKU matches; check: matches, but with doubtful SKUs "
        "or paid options; not_redeemable: no SKU matches; no_sku: the reward has none"
    )
    skus: list[str] = Field(
        description="SKUs of this POS's active products the reward maps to, in the order typed "
        "in Pongo; other systems' SKUs, typos and archived products are left out"
    )
    shape: Literal["none", "single", "list"] = Field(
        description="single: one product or menu; list: a list of products or menus; "
        "none: nothing of this POS"
    )


class RewardsOut(BaseModel):
    """The merchant's Pongo rewards as last fetched by the portal, each checked against the POS."""

    rewards: list[RewardOut]
    synced_at: datetime | None = Field(
        description="When the rewards were last fetched from Pongo; null if never"
    )


class ProductIn(_Body):
    """One product or menu of the catalogue; `ref` defaults to the SKU."""

    ref: Ref | None = None
    sku: Ref
    name: ProductName
    price_cents: int | None = Field(None, ge=0, le=MAX_CENTS)
    category: Annotated[str | None, StringConstraints(max_length=120, pattern=_PRINTABLE)] = None
    has_paid_options: bool = False
    location_refs: list[Ref] | None = Field(
        None, max_length=1000, description="Where it is sold; absent or null means everywhere"
    )


class ProductsIn(_Body):
    """The full catalogue; products left out are archived."""

    products: list[ProductIn] = Field(max_length=MAX_PRODUCTS)


class ReplaceCounts(BaseModel):
    """What a full replacement changed."""

    created: int
    updated: int
    archived: int
    unchanged: int


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
        # Kept as written (the order's fingerprint hashes it), its digits beside it.
        if value is None:
            return None
        try:
            return InternationalPhone(value)
        except InvalidPhone as error:
            raise ValueError(str(error)) from None

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


RelayState = Literal["pending", "delivered", "failed", "paused", "expired"]


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


class FieldError(BaseModel):
    """One invalid field: its path in the body (dot-separated, list indexes as numbers)."""

    path: str
    message: str


class ValidationErrors(BaseModel):
    """Every field error of a refused request; nothing was changed."""

    errors: list[FieldError]


class Error(BaseModel):
    """Any other refusal (bad key, unknown merchant, wrong method, too large)."""

    error: str
    message: str
