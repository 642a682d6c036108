"""What each Pongo permission lets the portal do, in the merchant's words."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

# Pongo's scopes (reference page `authentication-2` lists them), by what they allow.
SCOPE_WORDS: dict[str, LazyString] = {
    "reward.read": _l("read your rewards"),
    "reward.create": _l("create rewards"),
    "reward.update": _l("change your rewards"),
    "order.create": _l("send your orders"),
    "order.read": _l("read the orders it sent"),
    "order.update": _l("cancel or refund the orders it sent"),
    "customer.read": _l("read your customers"),
    "customer.create": _l("create customers"),
    "customer.update": _l("change your customers"),
    "checkin.create": _l("record check-ins"),
    "contest-game.read": _l("read your contests"),
    "contest-game.create": _l("create contests"),
    "contest-game.update": _l("change your contests"),
}


def permission_words(scopes: str | None) -> list[str]:
    """The granted scopes (comma-separated as stored) in words; an unknown scope as itself."""
    granted = [scope.strip() for scope in (scopes or "").split(",") if scope.strip()]
    return [str(SCOPE_WORDS[s]) if s in SCOPE_WORDS else s for s in granted]
