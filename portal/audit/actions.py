"""Every audit action in one table: its key, its sentence in the log, and who may read it.

A sentence names its facts with placeholders: ``%(actor)s`` (who acted), ``%(staff)s`` (the
support agent, when one acted for the merchant) and any key of the event's details.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from portal.models.audit import AuditEvent


class Audience(StrEnum):
    """Who may read an action in a log."""

    MERCHANT = "merchant"
    STAFF = "staff"


BOTH = frozenset({Audience.MERCHANT, Audience.STAFF})


@dataclass(frozen=True)
class AuditAction:
    """One kind of recorded action."""

    key: str
    sentence: LazyString
    audience: frozenset[Audience] = BOTH


class UnknownAuditAction(KeyError):
    """An action recorded without an entry in the registry."""


def _actions(*actions: AuditAction) -> dict[str, AuditAction]:
    return {action.key: action for action in actions}


# Sign-ins and second factors of support staff: no merchant's business.
_STAFF_ONLY = tuple(
    AuditAction(key, sentence, frozenset({Audience.STAFF}))
    for key, sentence in (
        ("staff.factor.totp_added", _l("%(actor)s set up an authenticator app.")),
        ("staff.factor.passkey_added", _l("%(actor)s registered a passkey.")),
        ("staff.factor.recovery_renewed", _l("%(actor)s replaced their recovery codes.")),
        ("staff.factor.refused", _l("A second-factor check by %(actor)s failed.")),
        (
            "staff.factor.recheck",
            _l("%(actor)s confirmed the second factor again before switching to write mode."),
        ),
        ("staff.factor.reset", _l("The operator reset the second factor of %(email)s.")),
        ("staff.signin.totp", _l("%(actor)s signed in with a code from the authenticator app.")),
        ("staff.signin.passkey", _l("%(actor)s signed in with a passkey.")),
        (
            "staff.signin.recovery",
            _l("%(actor)s signed in with a recovery code (%(left)s left)."),
        ),
    )
)

ACTIONS: dict[str, AuditAction] = _actions(
    AuditAction("launch", _l("%(actor)s opened the portal from the POS admin panel.")),
    AuditAction(
        "merchant.put",
        _l("The point of sale (%(actor)s) updated the merchant's name to “%(name)s”."),
    ),
    AuditAction(
        "locations.replace",
        _l(
            "The point of sale (%(actor)s) sent its locations: %(created)s new, %(updated)s"
            " changed, %(archived)s archived, %(unchanged)s unchanged."
        ),
    ),
    AuditAction(
        "products.replace",
        _l(
            "The point of sale (%(actor)s) sent its catalogue: %(created)s new, %(updated)s"
            " changed, %(archived)s archived, %(unchanged)s unchanged."
        ),
    ),
    AuditAction(
        "location.link",
        _l("%(actor)s changed the Pongo store of “%(location)s” from %(old)s to %(new)s."),
    ),
    AuditAction(
        "location.no_store",
        _l("%(actor)s marked “%(location)s” as having no Pongo store."),
    ),
    AuditAction(
        "location.no_store_undo",
        _l("%(actor)s withdrew the “no Pongo store” mark of “%(location)s”."),
    ),
    AuditAction(
        "location.tablet",
        _l(
            "%(actor)s changed the Pongo tablet of “%(location)s” from %(old_tablet)s to"
            " %(new_tablet)s."
        ),
    ),
    AuditAction("stores.refresh", _l("%(actor)s fetched %(stores)s Pongo store(s).")),
    AuditAction("rewards.refresh", _l("%(actor)s fetched %(rewards)s Pongo reward(s).")),
    AuditAction(
        "reward.review",
        _l("%(actor)s marked the reward “%(name)s” as reviewed (%(reason)s)."),
    ),
    AuditAction("reward.unreview", _l("%(actor)s withdrew the review of the reward “%(name)s”.")),
    AuditAction(
        "drift.emails",
        _l("%(actor)s changed the e-mails about changes at Pongo (now %(new)s)."),
    ),
    AuditAction("drift.read", _l("%(actor)s marked %(count)s change(s) at Pongo as read.")),
    AuditAction("order.retry", _l("%(actor)s sent order %(order_ref)s to Pongo again.")),
    AuditAction(
        "customer.erase",
        _l(
            "%(actor)s erased a customer's phone number: %(orders)s order(s), %(audit_events)s"
            " audit event(s) changed, %(cancelled)s unsent order(s) cancelled."
        ),
    ),
    AuditAction(
        "merchant.offboard",
        _l(
            "%(actor)s offboarded the merchant %(merchant_ref)s: %(orders)s order(s),"
            " %(locations)s location(s) and %(products)s product(s) deleted."
        ),
        frozenset({Audience.STAFF}),
    ),
    AuditAction("pongo.connect", _l("%(actor)s connected the Pongo account %(account)s.")),
    AuditAction("pongo.disconnect", _l("%(actor)s disconnected Pongo.")),
    AuditAction("support.view.start", _l("Support agent %(staff)s viewed your portal.")),
    AuditAction("support.page_view", _l("Support agent %(staff)s opened %(path)s.")),
    AuditAction("support.view.end", _l("Support agent %(staff)s stopped viewing your portal.")),
    AuditAction(
        "support.view.expired",
        _l("The view of support agent %(staff)s ended when its time was up."),
    ),
    AuditAction(
        "support.view.write",
        _l("Support agent %(staff)s switched the view to making changes."),
    ),
    AuditAction("support.action", _l("Support agent %(staff)s made a change (%(path)s).")),
    AuditAction(
        "support.action.refused",
        _l("A change by support agent %(staff)s was refused (%(path)s)."),
    ),
    *_STAFF_ONLY,
)


def audit_action(key: str) -> AuditAction:
    """The registered action for a key; raises UnknownAuditAction for an unregistered one."""
    try:
        return ACTIONS[key]
    except KeyError:
        raise UnknownAuditAction(key) from None


def visible_to(audience: Audience) -> list[str]:
    """The keys of the actions this audience may read."""
    return [key for key, action in ACTIONS.items() if audience in action.audience]


class _Facts(dict[str, Any]):
    """Details for a sentence: a missing fact reads "?" and an empty one "—"."""

    def __missing__(self, key: str) -> str:
        return "?"


# The portal's own scheduled work, named as a reader would say it.
SYSTEM_ACTOR = _l("The portal's automatic check")
# Details that hold a code (a location's ref, a store's slug) a sentence shows by its name.
NAMED_DETAILS = ("location", "old", "new")


# Words for coded details (a review's "reason": "paid_options_charged"), given by the package
# that owns the codes when its blueprint is registered.
_DETAIL_WORDS: dict[str, Mapping[str, Any]] = {}


def name_detail_values(key: str, words: Mapping[str, Any]) -> None:
    """Have log sentences show the detail `key`'s coded values as these words."""
    _DETAIL_WORDS[key] = words


def _fact(key: str, value: Any, names: Mapping[str, str]) -> Any:
    if value is None:
        return "—"
    if key in _DETAIL_WORDS and str(value) in _DETAIL_WORDS[key]:
        return str(_DETAIL_WORDS[key][str(value)])
    return names.get(str(value), value) if key in NAMED_DETAILS else value


def _facts(event: AuditEvent, names: Mapping[str, str]) -> Mapping[str, Any]:
    facts = _Facts((key, _fact(key, value, names)) for key, value in (event.details or {}).items())
    facts["actor"] = str(SYSTEM_ACTOR) if event.actor == "system" else event.actor
    facts["staff"] = event.impersonator or event.actor
    return facts


def describe(event: AuditEvent, names: Mapping[str, str] | None = None) -> str:
    """The event's sentence in the current language (the bare key for a retired action).

    ``names`` maps codes found in the details (a location's ref, a store's slug) to the names
    people know them by.
    """
    action = ACTIONS.get(event.action)
    if action is None:
        return f"{event.actor}: {event.action}"
    return str(action.sentence) % _facts(event, names or {})


def unregistered(keys: Iterable[str]) -> set[str]:
    """The keys among these that the registry does not know."""
    return {key for key in keys if key not in ACTIONS}
