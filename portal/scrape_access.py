"""Who may scrape /metrics: checking the settings once, and matching a caller's address.

The allowed addresses are IPs or CIDR ranges separated by commas. An entry that is not
one would fail every scrape, so start-up refuses it, naming it. In production the token
must be long (a placeholder or a short word is guessable) and no range may open the
endpoint to the internet at large (``0.0.0.0/0``, ``::/0``, ``2000::/3``…).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

MIN_TOKEN_LENGTH = 32
# Public ranges wider than these are "the whole internet" for a scrape address list.
_WIDEST_PUBLIC_PREFIX = {4: 8, 6: 16}
TOKEN_VAR = "PORTAL_METRICS_TOKEN"  # noqa: S105  # the variable's name, not a secret
ADDRESSES_VAR = "PORTAL_METRICS_ALLOWED_ADDRESSES"


def _entries(addresses: str) -> list[str]:
    return [item.strip() for item in addresses.split(",") if item.strip()]


def _network(entry: str) -> Network | None:
    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return None


def networks(addresses: str) -> list[Network]:
    """The entries that are addresses or ranges (start-up has refused the others)."""
    return [net for net in map(_network, _entries(addresses)) if net is not None]


def _too_wide(network: Network) -> bool:
    if network.prefixlen == 0:
        return True
    return not network.is_private and network.prefixlen < _WIDEST_PUBLIC_PREFIX[network.version]


def _listed(entries: Iterable[str]) -> str:
    return ", ".join(repr(entry) for entry in entries)


def setting_problems(*, token: str, addresses: str, production: bool) -> list[str]:
    """What is wrong with the metrics settings, each problem naming its variable."""
    problems = []
    unparsable = [entry for entry in _entries(addresses) if _network(entry) is None]
    if unparsable:
        problems.append(
            f"{ADDRESSES_VAR} holds entries that are not addresses: {_listed(unparsable)}"
        )
    if not production:
        return problems
    if token and len(token) < MIN_TOKEN_LENGTH:
        problems.append(f"{TOKEN_VAR} must be at least {MIN_TOKEN_LENGTH} random characters")
    wide = [entry for entry in _entries(addresses) if (net := _network(entry)) and _too_wide(net)]
    if wide:
        problems.append(f"{ADDRESSES_VAR} opens /metrics to the whole internet: {_listed(wide)}")
    return problems


def allows(allowed: Iterable[Network], unsafe_remote: str | None) -> bool:
    """True when the caller's address is in one of the allowed networks."""
    try:
        address = ipaddress.ip_address(unsafe_remote or "")
    except ValueError:
        return False
    return any(address in network for network in allowed)
