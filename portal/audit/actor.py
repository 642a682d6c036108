"""Who is acting: built once per request by the view layer and passed to the services."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_request_context, session


@dataclass(frozen=True)
class Actor:
    """The person or system an audit event names.

    ``kind`` is one of merchant_user, support, staff, pos, system, anonymous; ``impersonator``
    is the support agent when one acts for a merchant.
    """

    name: str
    kind: str
    impersonator: str | None = None


SYSTEM = Actor("system", "system")


def merchant_user(email: str) -> Actor:
    """A user of the merchant, signed in from the POS admin panel."""
    return Actor(email, "merchant_user")


def support_agent(email: str) -> Actor:
    """A support agent viewing a merchant's portal: the agent acts for the merchant."""
    return Actor(email, "support", email)


def actor_from_request() -> Actor:
    """The actor of the current request, from its session or API key."""
    if not has_request_context():
        return SYSTEM
    staff = session.get("staff_email")
    user = session.get("user") or {}
    if session.get("merchant_id") and staff:
        # A support agent viewing as the merchant: the agent acts, the merchant is the subject.
        return Actor(str(user.get("email") or staff), "support", str(staff))
    if staff:
        return Actor(str(staff), "staff")
    if user.get("email"):
        return merchant_user(str(user["email"]))
    if g.get("api_key_name"):
        return Actor(str(g.api_key_name), "pos")
    return Actor("anonymous", "anonymous")
