"""Every setting of the portal: its section, type, default and environment variable."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ENVIRONMENTS = ("production", "development", "test")

# Secrets production refuses to start without; development generates them under instance/.
SECRET_SETTINGS = ("secret_key", "launch_secret", "encryption_keys", "pongo_client_secret")


class SettingsError(RuntimeError):
    """A setting is missing or unsafe; the message names it."""


def setting(
    var: str, default: Any, parse: Callable[[str], Any] | None = None, *, secret: bool = False
) -> Any:
    """A field that reads the environment variable `var` (with `parse`), else `default`.

    A `secret` one (a key, a password, a URL that may carry one) is left out of repr(), so
    that it never reaches a log line or a traceback.
    """
    metadata: dict[str, Any] = {"var": var}
    if parse is not None:
        metadata["parse"] = parse
    return field(default=default, repr=not secret, metadata=metadata)


# The portal reads rewards, sends orders and their later status changes. Listing stores
# needs no documented scope (the docs' scope list has no store.*), so none is asked for.
DEFAULT_SCOPES = ("reward.read", "order.create", "order.update")
# Empty settings below mean "Pongo's value as guessed in portal/pongo/inferred.py": the
# guesses live there alone, and an operator may override each one here.
GUESSED = ""
# Pongo's docs exchange the code with this non-standard grant type.
TOKEN_GRANT_TYPE = "client_credentials"  # noqa: S105 - a grant name, not a secret

# Pongo's form takes scopes comma-separated; OAuth answers may separate them with spaces.
_SCOPE_SEPARATORS = re.compile(r"[,\s]+")


def parse_scopes(text: str) -> tuple[str, ...]:
    """The scopes of a comma- or space-separated list, in order, blanks dropped."""
    return tuple(scope for scope in _SCOPE_SEPARATORS.split(text) if scope)


@dataclass(frozen=True)
class LaunchSettings:
    """How the POS admin panel signs the links that open the portal."""

    secret: str = setting("PORTAL_LAUNCH_SECRET", "", secret=True)
    issuer: str = setting("PORTAL_LAUNCH_ISSUER", "pos-admin")


@dataclass(frozen=True)
class PongoSettings:
    """Where Pongo is, how the portal identifies itself, and how long a call may take.

    The fields with an environment variable are the portal's PONGO_* settings, read and
    checked by portal/config; the others are the client's fixed timeouts and retry budget.
    """

    base_url: str = setting("PONGO_BASE_URL", "http://127.0.0.1:5001")
    client_id: str = setting("PONGO_CLIENT_ID", "portal-demo")
    client_secret: str = setting("PONGO_CLIENT_SECRET", "", secret=True)
    redirect_uri: str = setting("PONGO_REDIRECT_URI", "http://127.0.0.1:5000/connect/callback")
    scopes: tuple[str, ...] = setting("PONGO_SCOPES", DEFAULT_SCOPES, parse_scopes)
    # The token path is inferred and the code exchange uses a non-standard grant
    # type in Pongo's docs, so both stay configurable.
    token_path: str = setting("PONGO_TOKEN_PATH", GUESSED)
    token_grant_type: str = setting("PONGO_TOKEN_GRANT_TYPE", TOKEN_GRANT_TYPE)
    # Seconds a page may wait for Pongo: a person is waiting and a web worker is held.
    interactive_deadline_s: float = setting("PONGO_INTERACTIVE_DEADLINE_S", 4.0)
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    deadline: float = 20.0
    # A clock time (time.monotonic) no call may run past: the budget of a page request,
    # shared by every call the page makes. None outside requests.
    budget_until: float | None = None
    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_cap: float = 8.0

    def url(self, path: str) -> str:
        """The absolute URL of a path on Pongo."""
        return self.base_url.rstrip("/") + path

    @property
    def scope_param(self) -> str:
        """The scopes as the OAuth form expects them: comma-separated."""
        return ",".join(self.scopes)


@dataclass(frozen=True)
class OrderSettings:
    """Order fields whose allowed values Pongo has not published; every relayed order has them.

    They are settings so that a correction from Pongo needs no release.
    """

    channel: str = setting("PONGO_ORDER_CHANNEL", GUESSED)
    delivery_mode: str = setting("PONGO_ORDER_DELIVERY_MODE", GUESSED)
    status: str = setting("PONGO_ORDER_STATUS", GUESSED)
    delivery_status: str = setting("PONGO_ORDER_DELIVERY_STATUS", GUESSED)
    # Orders paused (waiting for a reconnection) longer than this many days expire.
    paused_days: int = setting("PORTAL_PAUSED_ORDERS_DAYS", 30)


@dataclass(frozen=True)
class RelaySettings:
    """How hard and how fast the relay worker tries to deliver an order."""

    max_attempts: int = setting("PORTAL_RELAY_MAX_ATTEMPTS", 10)
    backoff_seconds: float = setting("PORTAL_RELAY_BACKOFF_SECONDS", 30.0)
    backoff_cap_seconds: float = setting("PORTAL_RELAY_BACKOFF_CAP_SECONDS", 3600.0)
    lease_seconds: float = setting("PORTAL_RELAY_LEASE_SECONDS", 120.0)
    batch_size: int = setting("PORTAL_RELAY_BATCH_SIZE", 20)
    breaker_failures: int = setting("PORTAL_RELAY_BREAKER_FAILURES", 5)
    breaker_reset_seconds: float = setting("PORTAL_RELAY_BREAKER_RESET_SECONDS", 30.0)
    # One send: Pongo's read timeout and overall deadline (retries included).
    read_timeout_seconds: float = setting("PORTAL_RELAY_READ_TIMEOUT_SECONDS", 10.0)
    send_deadline_seconds: float = setting("PORTAL_RELAY_SEND_DEADLINE_SECONDS", 20.0)


@dataclass(frozen=True)
class MetricsSettings:
    """Who may scrape /metrics: a Bearer token and/or addresses (IPs or CIDR ranges)."""

    token: str = setting("PORTAL_METRICS_TOKEN", "", secret=True)
    allowed_addresses: str = setting("PORTAL_METRICS_ALLOWED_ADDRESSES", "")


@dataclass(frozen=True)
class SyncSettings:
    """How often the sync workers check each merchant's stores and rewards at Pongo."""

    interval_hours: float = setting("PORTAL_SYNC_INTERVAL_HOURS", 6.0)
    # Each merchant's next sync moves by up to this share of the interval, either way, so
    # that merchants connected together do not stay in step.
    jitter: float = setting("PORTAL_SYNC_JITTER", 0.1)
    lease_seconds: float = setting("PORTAL_SYNC_LEASE_SECONDS", 300.0)
    batch_size: int = setting("PORTAL_SYNC_BATCH_SIZE", 10)


@dataclass(frozen=True)
class PosEventSettings:
    """Where and how the portal tells the POS back-end that a merchant's summary changed."""

    # No URL, or no secret: changes are recorded and nothing is sent.
    url: str = setting("PORTAL_POS_WEBHOOK_URL", "")
    # Comma-separated while a secret is replaced (new first): each signs every event.
    secret: str = setting("PORTAL_POS_WEBHOOK_SECRET", "", secret=True)
    window_seconds: float = setting("PORTAL_POS_EVENTS_WINDOW_SECONDS", 30.0)
    check_seconds: float = setting("PORTAL_POS_STATUS_CHECK_SECONDS", 60.0)
    timeout_seconds: float = setting("PORTAL_POS_WEBHOOK_TIMEOUT_SECONDS", 5.0)
    backoff_seconds: float = setting("PORTAL_POS_EVENTS_BACKOFF_SECONDS", 10.0)
    backoff_cap_seconds: float = setting("PORTAL_POS_EVENTS_BACKOFF_CAP_SECONDS", 600.0)
    batch_size: int = setting("PORTAL_POS_EVENTS_BATCH_SIZE", 20)
    lease_seconds: float = setting("PORTAL_POS_EVENTS_LEASE_SECONDS", 60.0)

    @property
    def secrets(self) -> list[str]:
        """The signing secrets, newest first."""
        return [part.strip() for part in self.secret.split(",") if part.strip()]


@dataclass(frozen=True)
class MailSettings:
    """Where the portal sends e-mails; nothing is sent while the SMTP URL is unset."""

    smtp_url: str = setting("PORTAL_SMTP_URL", "", secret=True)
    from_address: str = setting("PORTAL_MAIL_FROM", "Pongo portal <no-reply@localhost>")


@dataclass(frozen=True)
class SessionSettings:
    """How long a portal session lives."""

    idle_minutes: int = setting("PORTAL_SESSION_IDLE_MINUTES", 30)
    absolute_hours: int = setting("PORTAL_SESSION_ABSOLUTE_HOURS", 12)


@dataclass(frozen=True)
class PrivacySettings:
    """How long personal data is kept, and where the erasure list is copied."""

    # Days a finished order (delivered, failed, expired) keeps its customer; 0 = none at all.
    customer_data_days: int = setting("PORTAL_CUSTOMER_DATA_DAYS", 90)
    audit_days: int = setting("PORTAL_AUDIT_DAYS", 400)
    # A file, kept apart from database backups, that each erasure's keyed hash is added to.
    erasure_list: str = setting("PORTAL_ERASURE_LIST", "")
    # Rows changed per transaction by `portal purge`, so that no lock is held for long.
    purge_batch_size: int = setting("PORTAL_PURGE_BATCH_SIZE", 500)


@dataclass(frozen=True)
class Settings:
    """Every setting of the portal: general ones here, the rest in one section per concern.

    Where settings are given by name (overrides, SECRET_SETTINGS), a section's field is
    named `<section>_<field>`: `pongo_base_url` is `settings.pongo.base_url`.
    """

    env: str = setting("PORTAL_ENV", "development")
    secret_key: str = setting("PORTAL_SECRET_KEY", "", secret=True)
    database_url: str = setting("DATABASE_URL", "", secret=True)
    redis_url: str = setting("REDIS_URL", "", secret=True)
    base_url: str = setting("PORTAL_BASE_URL", "http://127.0.0.1:5000")
    pos_admin_origin: str = setting("PORTAL_POS_ADMIN_ORIGIN", "http://127.0.0.1:5000")
    encryption_keys: str = setting("PORTAL_ENCRYPTION_KEYS", "", secret=True)
    proxy_hops: int = setting("PORTAL_PROXY_HOPS", 0)
    timezone: str = setting("PORTAL_TIMEZONE", "Europe/Paris")
    demo: bool = setting("PORTAL_DEMO", False)
    max_body_mb: int = setting("PORTAL_MAX_BODY_MB", 32)
    # Calls one POS API key may make (limits notation, e.g. "600/minute" or "20/second").
    api_rate_limit: str = setting("PORTAL_API_RATE_LIMIT", "600/minute")
    launch: LaunchSettings = field(default_factory=LaunchSettings)
    pongo: PongoSettings = field(default_factory=PongoSettings)
    orders: OrderSettings = field(default_factory=OrderSettings)
    relay: RelaySettings = field(default_factory=RelaySettings)
    session: SessionSettings = field(default_factory=SessionSettings)
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    pos_events: PosEventSettings = field(default_factory=PosEventSettings)

    @property
    def production(self) -> bool:
        """True when running for real merchants."""
        return self.env == "production"

    @property
    def fernet_keys(self) -> list[str]:
        """Encryption keys, newest first."""
        return [k.strip() for k in self.encryption_keys.split(",") if k.strip()]
