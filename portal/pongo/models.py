"""Typed results of Pongo calls, read tolerantly: unknown fields ignored, optional ones optional.

A response that lacks what the portal needs raises UnexpectedResponse rather than
being half-read; in a list, the client skips such an item and counts it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from portal.pongo import inferred
from portal.pongo.endpoints import REWARD_EXTERNAL_ID, STORE_PUBLIC_ID, STORE_SLUG
from portal.pongo.errors import UnexpectedResponse
from portal.pongo.settings import parse_scopes


@dataclass(frozen=True)
class PongoAccount:
    """The Pongo account a token belongs to."""

    id: str
    name: str | None
    email: str | None
    login: str | None
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class FetchedStore:
    """One of the merchant's Pongo stores."""

    slug: str
    name: str
    address: str | None
    city: str | None
    postal_code: str | None
    public_id: str | None


@dataclass(frozen=True)
class FetchedReward:
    """One reward of the merchant's catalogue; its SKU list is still unparsed."""

    public_id: str
    name: str
    points: int | None
    raw_external_id: str | None


@dataclass(frozen=True)
class OrderReceipt:
    """Pongo's answer to an order: created now, or already processed before."""

    order_id: str
    pongo_id: str | None
    already_processed: bool
    status_code: int


def _object(item: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(item, Mapping):
        raise UnexpectedResponse(f"{what}: expected an object, got {type(item).__name__}")
    return item


# Pongo's answers are untrusted input: every field is checked against what the portal's
# columns hold before anything is stored. Numbers are accepted where text is expected
# (an id of 42 is "42"), never the reverse; control characters are refused in ids and
# replaced by spaces in free text, since PostgreSQL cannot store NUL.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_RAW_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_EXTERNAL_ID = 20_000
# PostgreSQL's INTEGER, the points column.
MAX_POINTS = 2**31 - 1


def _as_text(value: Any) -> Any:
    """Numbers become their text; anything else is left for the type check to refuse."""
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) >= 10**64:  # no column holds more digits; str() of a huge int is slow
            raise ValueError("number too long for text")
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else str(value)
    return value


def _identifier(value: Any) -> Any:
    value = _as_text(value)
    if isinstance(value, str) and _CONTROL.search(value):
        raise ValueError("holds control characters")
    return value


def _free_text(value: Any) -> Any:
    value = _as_text(value)
    if isinstance(value, str):
        value = _CONTROL.sub(" ", value).strip()
        return value or None
    return value


def _raw_text(value: Any) -> Any:
    """The merchant's SKU list as typed, blanks and empty text kept, NUL and escapes not."""
    value = _as_text(value)
    return _RAW_CONTROL.sub(" ", value) if isinstance(value, str) else value


def _id(limit: int) -> StringConstraints:
    return StringConstraints(min_length=1, max_length=limit)


Slug = Annotated[Annotated[str, _id(128)], BeforeValidator(_identifier)]
RewardId = Annotated[Annotated[str, _id(128)], BeforeValidator(_identifier)]
AccountId = Annotated[Annotated[str, _id(200)], BeforeValidator(_identifier)]
StorePublicId = Annotated[Annotated[str, _id(64)] | None, BeforeValidator(_identifier)]
StoreName = Annotated[Annotated[str, _id(200)] | None, BeforeValidator(_free_text)]
Address = Annotated[Annotated[str, _id(300)] | None, BeforeValidator(_free_text)]
City = Annotated[Annotated[str, _id(120)] | None, BeforeValidator(_free_text)]
PostalCode = Annotated[Annotated[str, _id(20)] | None, BeforeValidator(_free_text)]
RewardName = Annotated[Annotated[str, _id(300)] | None, BeforeValidator(_free_text)]
ExternalId = Annotated[
    Annotated[str, StringConstraints(max_length=MAX_EXTERNAL_ID)] | None, BeforeValidator(_raw_text)
]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=False, frozen=True)


A = TypeVar("A", bound=_Answer)


class _StoreAnswer(_Answer):
    # Pongo's names for each field: endpoints.py and inferred.py cite where they come from.
    slug: Slug = Field(alias=STORE_SLUG)
    name: StoreName = Field(None, alias=inferred.STORE_NAME)
    address: Address = Field(None, alias=inferred.STORE_ADDRESS)
    city: City = Field(None, alias=inferred.STORE_CITY)
    postal_code: PostalCode = Field(None, alias=inferred.STORE_POSTAL_CODE)
    public_id: StorePublicId = Field(None, alias=STORE_PUBLIC_ID)


def _points(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) <= MAX_POINTS:
        return int(value)
    if isinstance(value, bool) or (value is not None and not isinstance(value, int)):
        raise ValueError("not an integer")
    return value


class _RewardAnswer(_Answer):
    public_id: RewardId = Field(alias=inferred.REWARD_ID)
    name: RewardName = Field(None, alias=inferred.REWARD_NAME)
    points: Annotated[
        Annotated[int, Field(ge=-MAX_POINTS, le=MAX_POINTS)] | None, BeforeValidator(_points)
    ] = Field(None, alias=inferred.REWARD_POINTS)
    external_id: ExternalId = Field(None, alias=REWARD_EXTERNAL_ID)


def store_fields() -> tuple[str, ...]:
    """The names the client reads in a store, the required one first."""
    return tuple(f.alias or n for n, f in _StoreAnswer.model_fields.items())


def reward_fields() -> tuple[str, ...]:
    """The names the client reads in a reward, the required one first."""
    return tuple(f.alias or n for n, f in _RewardAnswer.model_fields.items())


def _optional(value: Any, limit: int) -> str | None:
    """Display-only text of the account: what does not fit is dropped, not fatal."""
    value = _free_text(value)
    return value if isinstance(value, str) and len(value) <= limit else None


def _reason(error: ValidationError) -> str:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "item"
    return f"{field}: {first['msg']}"


def _scopes(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        found = parse_scopes(value)
    elif isinstance(value, list):
        found = tuple(str(s) for s in value if isinstance(s, str) and s)
    else:
        return ()
    return tuple(s for s in found if len(s) <= 100 and not _CONTROL.search(s))[:20]


def unwrap_list(body: Any, what: str) -> list[Any]:
    """Return the items of a bare list or of a {"data": [...]} envelope."""
    if isinstance(body, Mapping):
        body = body.get(inferred.PAGE_ITEMS)
    if not isinstance(body, list):
        raise UnexpectedResponse(f"{what}: expected a list or a data envelope")
    return body


def parse_account(body: Any) -> PongoAccount:
    """Read the answer of /v1/oauth/me, bare or inside a data envelope."""
    item = _object(body, "account")
    if isinstance(item.get(inferred.PAGE_ITEMS), Mapping):
        item = item[inferred.PAGE_ITEMS]
    try:
        account_id = TypeAdapter(AccountId).validate_python(item.get(inferred.ME_ID))
    except (ValidationError, ValueError):
        raise UnexpectedResponse(f"account: missing or invalid {inferred.ME_ID!r}") from None
    return PongoAccount(
        id=account_id,
        name=_optional(item.get(inferred.ME_NAME), 200),
        email=_optional(item.get(inferred.ME_EMAIL), 320),
        login=_optional(item.get("login"), 320),
        scopes=_scopes(item.get("scopes")),
    )


def parse_store(raw: Any) -> FetchedStore:
    """Read one store; the slug is required, the rest may be missing; too long is refused."""
    store = _validated(_StoreAnswer, raw, "store", key=STORE_SLUG)
    return FetchedStore(
        slug=store.slug,
        name=store.name or store.slug,
        address=store.address,
        city=store.city,
        postal_code=store.postal_code,
        public_id=store.public_id,
    )


def parse_reward(raw: Any) -> FetchedReward:
    """Read one reward; the public id is required, the SKU list is kept as sent."""
    reward = _validated(_RewardAnswer, raw, "reward", key=inferred.REWARD_ID)
    return FetchedReward(
        public_id=reward.public_id,
        name=reward.name or reward.public_id,
        points=reward.points,
        raw_external_id=reward.external_id,
    )


def _validated(model: type[A], raw: Any, what: str, *, key: str) -> A:
    """Read one item of a list as `model`; the error names the item by its `key`."""
    item = _object(raw, what)
    try:
        return model.model_validate(dict(item))
    except ValidationError as error:
        label = _label(item, key)
        raise UnexpectedResponse(f"{what} {label}: {_reason(error)}") from None


def _label(item: Mapping[str, Any], key: str) -> str:
    """A short, printable name for an item in a message about it."""
    value = item.get(key)
    text = _CONTROL.sub("?", value) if isinstance(value, str) else type(value).__name__
    return repr(text[:40] + ("…" if len(text) > 40 else ""))


def parse_receipt(body: Any, *, order_id: str, status_code: int) -> OrderReceipt:
    """Read Pongo's answer to an order."""
    item = _object(body, "order")
    if isinstance(item.get(inferred.PAGE_ITEMS), Mapping):
        item = item[inferred.PAGE_ITEMS]
    return OrderReceipt(
        order_id=order_id,
        pongo_id=_optional(item.get(inferred.ORDER_ANSWER_ID), 120),
        already_processed=status_code == 202,
        status_code=status_code,
    )
