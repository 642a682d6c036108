"""How to reach Pongo: base URL, client credentials, scopes, timeouts and retry budget."""

from __future__ import annotations

from dataclasses import dataclass

# The portal reads rewards and sends orders. Listing stores needs no documented
# scope (the docs' scope list has no store.*), so none is asked for.
DEFAULT_SCOPES = ("reward.read", "order.create")


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
    token_path: str = "/v1/oauth/token"  # noqa: S105 - a URL path, not a secret
    token_grant_type: str = "client_credentials"  # noqa: S105 - a grant name, not a secret
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    deadline: float = 20.0
    # A clock time (time.monotonic) no call may run past: the budget of a page request,
    # shared by every call the page makes. None outside requests.
    budget_until: float | None = None
    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    # Order enum values Pongo has not published; the relay fills orders with these.
    order_channel: str = "pos"
    order_delivery_mode: str = "on_site"
    order_status: str = "completed"
    order_delivery_status: str = "delivered"

    def __repr__(self) -> str:
        # The client secret never reaches a log line through repr().
        return (
            f"PongoSettings(base_url={self.base_url!r}, client_id={self.client_id!r}, "
            f"scopes={self.scopes!r})"
        )

    @property
    def scope_param(self) -> str:
        """The scopes as the OAuth form expects them: comma-separated."""
        return ",".join(self.scopes)
