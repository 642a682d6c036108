"""Typed results of Pongo calls, read tolerantly: unknown fields ignored, optional ones optional.

A response that lacks what the portal needs raises UnexpectedResponse rather than
being half-read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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


def _identifier(item: Mapping[str, Any], key: str, what: str) -> str:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise UnexpectedResponse(f"{what}: missing or invalid {key!r}")
    return str(value)


def _optional_text(item: Mapping[str, Any], key: str, what: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise UnexpectedResponse(f"{what}: {key!r} is not text")
    return str(value)


def _scopes(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return parse_scopes(value)
    if isinstance(value, list):
        return tuple(str(s) for s in value if isinstance(s, str) and s)
    return ()


def unwrap_list(body: Any, what: str) -> list[Any]:
    """Return the items of a bare list or of a {"data": [...]} envelope."""
    if isinstance(body, Mapping):
        body = body.get("data")
    if not isinstance(body, list):
        raise UnexpectedResponse(f"{what}: expected a list or a data envelope")
    return body


def parse_account(body: Any) -> PongoAccount:
    """Read the answer of /v1/oauth/me, bare or inside a data envelope."""
    item = _object(body, "account")
    if isinstance(item.get("data"), Mapping):
        item = item["data"]
    return PongoAccount(
        id=_identifier(item, "id", "account"),
        name=_optional_text(item, "name", "account"),
        email=_optional_text(item, "email", "account"),
        login=_optional_text(item, "login", "account"),
        scopes=_scopes(item.get("scopes")),
    )


def parse_store(raw: Any) -> FetchedStore:
    """Read one store; the slug is required, the rest may be missing."""
    item = _object(raw, "store")
    slug = _identifier(item, "slug", "store")
    return FetchedStore(
        slug=slug,
        name=_optional_text(item, "name", "store") or slug,
        address=_optional_text(item, "address", "store"),
        city=_optional_text(item, "city", "store"),
        postal_code=_optional_text(item, "postal_code", "store"),
        public_id=_optional_text(item, "public_id", "store"),
    )


def parse_reward(raw: Any) -> FetchedReward:
    """Read one reward; the public id is required, the SKU list is kept as sent."""
    item = _object(raw, "reward")
    public_id = _identifier(item, "public_id", "reward")
    points = item.get("points")
    if isinstance(points, float) and points.is_integer():
        points = int(points)
    if points is not None and (isinstance(points, bool) or not isinstance(points, int)):
        raise UnexpectedResponse(f"reward {public_id}: 'points' is not an integer")
    return FetchedReward(
        public_id=public_id,
        name=_optional_text(item, "name", "reward") or public_id,
        points=points,
        raw_external_id=_optional_text(item, "external_id", "reward"),
    )


def parse_receipt(body: Any, *, order_id: str, status_code: int) -> OrderReceipt:
    """Read Pongo's answer to an order."""
    item = _object(body, "order")
    if isinstance(item.get("data"), Mapping):
        item = item["data"]
    return OrderReceipt(
        order_id=order_id,
        pongo_id=_optional_text(item, "id", "order"),
        already_processed=status_code == 202,
        status_code=status_code,
    )
