"""How to reach Pongo: base URL, client credentials, scopes, timeouts and retry budget."""

from __future__ import annotations

import re
from dataclasses import dataclass

from portal.pongo import endpoints

# The portal reads rewards, sends orders and their later status changes. Listing stores
# needs no documented scope (the docs' scope list has no store.*), so none is asked for.
DEFAULT_SCOPES = ("reward.read", "order.create", "order.update")
TOKEN_PATH = str(endpoints.TOKEN.path)
# Pongo's docs exchange the code with this non-standard grant type.
TOKEN_GRANT_TYPE = str(endpoints.GRANT_CODE)

# Pongo's form takes scopes comma-separated; OAuth answers may separate them with spaces.
_SCOPE_SEPARATORS = re.compile(r"[,\s]+")


def parse_scopes(text: str) -> tuple[str, ...]:
    """The scopes of a comma- or space-separated list, in order, blanks dropped."""
    return tuple(scope for scope in _SCOPE_SEPARATORS.split(text) if scope)


@dataclass(frozen=True)
class PongoSettings:
    """Settings for the Pongo client, validated by the portal's config at start-up."""

    base_url: str
    client_id: str
    client_secret: str
    redirect_uri: str
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    # The token path is inferred and the code exchange uses a non-standard grant
    # type in Pongo's docs, so both stay configurable.
    token_path: str = TOKEN_PATH
    token_grant_type: str = TOKEN_GRANT_TYPE
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    deadline: float = 20.0
    # A clock time (time.monotonic) no call may run past: the budget of a page request,
    # shared by every call the page makes. None outside requests.
    budget_until: float | None = None
    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_cap: float = 8.0

    def __repr__(self) -> str:
        # The client secret never reaches a log line through repr().
        return (
            f"PongoSettings(base_url={self.base_url!r}, client_id={self.client_id!r}, "
            f"scopes={self.scopes!r})"
        )

    def url(self, path: str) -> str:
        """The absolute URL of a path on Pongo."""
        return self.base_url.rstrip("/") + path

    @property
    def scope_param(self) -> str:
        """The scopes as the OAuth form expects them: comma-separated."""
        return ",".join(self.scopes)
