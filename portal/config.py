"""Settings read from the environment once, validated, and turned into Flask config."""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Iterator, Mapping
from dataclasses import MISSING, Field, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from flask import Flask, current_app

from portal.pongo import settings as pongo_defaults
from portal.sandbox import demo_client_secrets
from portal.scrape_access import setting_problems

ENVIRONMENTS = ("production", "development", "test")

# Values that mean "somebody forgot to set this" and must never reach production.
PLACEHOLDERS = frozenset(
    {
        "",
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "dev",
        "development",
        "test",
        "xxx",
        "todo",
    }
)

# Secrets production refuses to start without; development generates them under instance/.
SECRET_SETTINGS = ("secret_key", "launch_secret", "encryption_keys", "pongo_client_secret")


class SettingsError(RuntimeError):
    """A setting is missing or unsafe; the message names it."""


def _setting(var: str, default: Any) -> Any:
    """A field that reads the environment variable `var`, falling back to `default`."""
    return field(default=default, metadata={"var": var})


@dataclass(frozen=True)
class LaunchSettings:
    """How the POS admin panel signs the links that open the portal."""

    secret: str = _setting("PORTAL_LAUNCH_SECRET", "")
    issuer: str = _setting("PORTAL_LAUNCH_ISSUER", "pos-admin")


@dataclass(frozen=True)
class PongoAccess:
    """Where Pongo is and how the portal identifies itself to it."""

    base_url: str = _setting("PONGO_BASE_URL", "http://127.0.0.1:5001")
    client_id: str = _setting("PONGO_CLIENT_ID", "portal-demo")
    client_secret: str = _setting("PONGO_CLIENT_SECRET", "")
    redirect_uri: str = _setting("PONGO_REDIRECT_URI", "http://127.0.0.1:5000/connect/callback")
    scopes: str = _setting("PONGO_SCOPES", ",".join(pongo_defaults.DEFAULT_SCOPES))
    # The token path is inferred and the code exchange uses a non-standard grant type in
    # Pongo's docs, so both stay configurable.
    token_path: str = _setting("PONGO_TOKEN_PATH", pongo_defaults.TOKEN_PATH)
    token_grant_type: str = _setting("PONGO_TOKEN_GRANT_TYPE", pongo_defaults.TOKEN_GRANT_TYPE)
    # Seconds a page may wait for Pongo: a person is waiting and a web worker is held.
    interactive_deadline_s: float = _setting("PONGO_INTERACTIVE_DEADLINE_S", 4.0)

    def __repr__(self) -> str:
        # The client secret never reaches a log line through repr().
        return f"PongoAccess(base_url={self.base_url!r}, client_id={self.client_id!r})"


@dataclass(frozen=True)
class OrderSettings:
    """Order fields whose allowed values Pongo has not published; every relayed order has them.

    They are settings so that a correction from Pongo needs no release.
    """

    channel: str = _setting("PONGO_ORDER_CHANNEL", "pos")
    delivery_mode: str = _setting("PONGO_ORDER_DELIVERY_MODE", "on_site")
    status: str = _setting("PONGO_ORDER_STATUS", "completed")
    delivery_status: str = _setting("PONGO_ORDER_DELIVERY_STATUS", "delivered")
    # Orders paused (waiting for a reconnection) longer than this many days expire.
    paused_days: int = _setting("PORTAL_PAUSED_ORDERS_DAYS", 30)


@dataclass(frozen=True)
class RelaySettings:
    """How hard and how fast the relay worker tries to deliver an order."""

    max_attempts: int = _setting("PORTAL_RELAY_MAX_ATTEMPTS", 10)
    backoff_seconds: float = _setting("PORTAL_RELAY_BACKOFF_SECONDS", 30.0)
    backoff_cap_seconds: float = _setting("PORTAL_RELAY_BACKOFF_CAP_SECONDS", 3600.0)
    lease_seconds: float = _setting("PORTAL_RELAY_LEASE_SECONDS", 120.0)
    batch_size: int = _setting("PORTAL_RELAY_BATCH_SIZE", 20)
    breaker_failures: int = _setting("PORTAL_RELAY_BREAKER_FAILURES", 5)
    breaker_reset_seconds: float = _setting("PORTAL_RELAY_BREAKER_RESET_SECONDS", 30.0)
    # One send: Pongo's read timeout and overall deadline (retries included).
    read_timeout_seconds: float = _setting("PORTAL_RELAY_READ_TIMEOUT_SECONDS", 10.0)
    send_deadline_seconds: float = _setting("PORTAL_RELAY_SEND_DEADLINE_SECONDS", 20.0)


@dataclass(frozen=True)
class MetricsSettings:
    """Who may scrape /metrics: a Bearer token and/or addresses (IPs or CIDR ranges)."""

    token: str = _setting("PORTAL_METRICS_TOKEN", "")
    allowed_addresses: str = _setting("PORTAL_METRICS_ALLOWED_ADDRESSES", "")

    def __repr__(self) -> str:
        # The scrape token never reaches a log line through repr().
        return f"MetricsSettings(allowed_addresses={self.allowed_addresses!r})"


@dataclass(frozen=True)
class SyncSettings:
    """How often the sync workers check each merchant's stores and rewards at Pongo."""

    interval_hours: float = _setting("PORTAL_SYNC_INTERVAL_HOURS", 6.0)
    # Each merchant's next sync moves by up to this share of the interval, either way, so
    # that merchants connected together do not stay in step.
    jitter: float = _setting("PORTAL_SYNC_JITTER", 0.1)
    lease_seconds: float = _setting("PORTAL_SYNC_LEASE_SECONDS", 300.0)
    batch_size: int = _setting("PORTAL_SYNC_BATCH_SIZE", 10)


@dataclass(frozen=True)
class MailSettings:
    """Where the portal sends e-mails; nothing is sent while the SMTP URL is unset."""

    smtp_url: str = _setting("PORTAL_SMTP_URL", "")
    from_address: str = _setting("PORTAL_MAIL_FROM", "Pongo portal <no-reply@localhost>")

    def __repr__(self) -> str:
        # The SMTP URL may carry a password.
        return f"MailSettings(from_address={self.from_address!r})"


@dataclass(frozen=True)
class SessionSettings:
    """How long a portal session lives."""

    idle_minutes: int = _setting("PORTAL_SESSION_IDLE_MINUTES", 30)
    absolute_hours: int = _setting("PORTAL_SESSION_ABSOLUTE_HOURS", 12)


@dataclass(frozen=True)
class PageCacheSettings:
    """How merchant pages are kept rendered between changes to the data they show."""

    # A rendered page is served again until any data changes or this many seconds pass
    # (what pages show of the clock, such as waiting times, is at most this old); 0 turns
    # the cache off.
    seconds: int = _setting("PORTAL_PAGE_CACHE_SECONDS", 30)
    # Pages kept per web process; the least recently used goes first.
    entries: int = _setting("PORTAL_PAGE_CACHE_ENTRIES", 200)


@dataclass(frozen=True)
class Settings:
    """Every setting of the portal: general ones here, the rest in one section per concern.

    Where settings are given by name (overrides, SECRET_SETTINGS), a section's field is
    named `<section>_<field>`: `pongo_base_url` is `settings.pongo.base_url`.
    """

    env: str = _setting("PORTAL_ENV", "development")
    secret_key: str = _setting("PORTAL_SECRET_KEY", "")
    database_url: str = _setting("DATABASE_URL", "")
    redis_url: str = _setting("REDIS_URL", "")
    base_url: str = _setting("PORTAL_BASE_URL", "http://127.0.0.1:5000")
    pos_admin_origin: str = _setting("PORTAL_POS_ADMIN_ORIGIN", "http://127.0.0.1:5000")
    encryption_keys: str = _setting("PORTAL_ENCRYPTION_KEYS", "")
    proxy_hops: int = _setting("PORTAL_PROXY_HOPS", 0)
    timezone: str = _setting("PORTAL_TIMEZONE", "Europe/Paris")
    demo: bool = _setting("PORTAL_DEMO", False)
    max_body_mb: int = _setting("PORTAL_MAX_BODY_MB", 32)
    # Calls one POS API key may make (limits notation, e.g. "600/minute" or "20/second").
    api_rate_limit: str = _setting("PORTAL_API_RATE_LIMIT", "600/minute")
    launch: LaunchSettings = field(default_factory=LaunchSettings)
    pongo: PongoAccess = field(default_factory=PongoAccess)
    orders: OrderSettings = field(default_factory=OrderSettings)
    relay: RelaySettings = field(default_factory=RelaySettings)
    session: SessionSettings = field(default_factory=SessionSettings)
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    page_cache: PageCacheSettings = field(default_factory=PageCacheSettings)

    @property
    def production(self) -> bool:
        """True when running for real merchants."""
        return self.env == "production"

    @property
    def fernet_keys(self) -> list[str]:
        """Encryption keys, newest first."""
        return [k.strip() for k in self.encryption_keys.split(",") if k.strip()]

    # Flat names still read by portal/connect/ until it reads `settings.pongo`.


def _leaves() -> Iterator[tuple[str, str | None, Field[Any]]]:
    """Every setting as (name, section or None, field), in declaration order."""
    for f in fields(Settings):
        if f.default_factory is MISSING:
            yield f.name, None, f
        else:
            for sub in fields(f.default_factory()):
                yield f"{f.name}_{sub.name}", f.name, sub


def _coerce(name: str, kind: Any, raw: str) -> Any:
    """Turn an environment string into the setting's type, naming the variable on failure."""
    if kind is int or kind == "int":
        try:
            return int(raw)
        except ValueError as exc:
            raise SettingsError(f"{name} must be a whole number, not {raw!r}") from exc
    if kind is float or kind == "float":
        try:
            return float(raw)
        except ValueError as exc:
            raise SettingsError(f"{name} must be a number, not {raw!r}") from exc
    if kind is bool or kind == "bool":
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return raw


def get(settings: Settings, name: str) -> Any:
    """A setting by its flat name (`pongo_client_secret`)."""
    for flat, section, f in _leaves():
        if flat == name:
            return getattr(getattr(settings, section) if section else settings, f.name)
    raise KeyError(name)


def with_values(settings: Settings, values: Mapping[str, Any]) -> Settings:
    """A copy with some settings changed, given by flat name; an unknown name is a TypeError."""
    known = {flat: (section, f.name) for flat, section, f in _leaves()}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise TypeError(f"unknown setting(s): {', '.join(unknown)}")
    top: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        section, attr = known[name]
        if section is None:
            top[attr] = value
        else:
            nested.setdefault(section, {})[attr] = value
    for section, changes in nested.items():
        top[section] = replace(getattr(settings, section), **changes)
    return replace(settings, **top)


def from_environ(
    environ: Mapping[str, str], overrides: Mapping[str, Any] | None = None
) -> Settings:
    """Read settings from environment variables, then apply explicit overrides by flat name."""
    values: dict[str, Any] = {}
    for name, _section, f in _leaves():
        var = f.metadata["var"]
        if var in environ:
            values[name] = _coerce(var, f.type, environ[var])
    settings = with_values(Settings(), {**values, **dict(overrides or {})})
    if settings.env not in ENVIRONMENTS:
        raise SettingsError(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}")
    return settings


def _var(name: str) -> str:
    return str(next(f.metadata["var"] for flat, _, f in _leaves() if flat == name))


def check_production(settings: Settings) -> None:
    """Refuse to run production with a missing, placeholder or unsafe setting."""
    problems = [
        f"{_var(name)} is missing or a placeholder"
        for name in SECRET_SETTINGS
        if get(settings, name).strip().lower() in PLACEHOLDERS
    ]
    if len(settings.secret_key) < 32 and _var("secret_key") not in " ".join(problems):
        problems.append("PORTAL_SECRET_KEY must be at least 32 characters")
    if len(settings.launch.secret) < 32 and _var("launch_secret") not in " ".join(problems):
        problems.append("PORTAL_LAUNCH_SECRET must be at least 32 characters")
    for key in settings.fernet_keys:
        try:
            Fernet(key)
        except ValueError:
            problems.append("PORTAL_ENCRYPTION_KEYS holds a key that is not a Fernet key")
            break
    if not settings.database_url.startswith("postgresql"):
        problems.append("DATABASE_URL must point at PostgreSQL")
    if not settings.redis_url:
        problems.append("REDIS_URL is required so that rate limits hold across workers")
    for name in ("base_url", "pongo_redirect_uri", "pongo_base_url"):
        if not get(settings, name).startswith("https://"):
            problems.append(f"{_var(name)} must be an https:// URL")
    if settings.demo:
        problems.append("PORTAL_DEMO must be off in production")
    if settings.pongo.client_secret in demo_client_secrets().values():
        problems.append("PONGO_CLIENT_SECRET is a client secret of the Pongo sandbox's demo")
    problems += metrics_problems(settings)
    if problems:
        raise SettingsError("Refusing to start: " + "; ".join(problems))


def metrics_problems(settings: Settings) -> list[str]:
    """The /metrics settings' problems: unparsable addresses anywhere, weak ones in production."""
    access = settings.metrics
    return setting_problems(
        token=access.token, addresses=access.allowed_addresses, production=settings.production
    )


def fill_development_secrets(settings: Settings, instance_path: Path) -> Settings:
    """Outside production, create missing secrets once under instance/ and reuse them."""
    if not settings.pongo.client_secret:
        # The sandbox's demo fixture knows the default client: development connects out of the box.
        secret = demo_client_secrets().get(settings.pongo.client_id, "")
        settings = with_values(settings, {"pongo_client_secret": secret})
    missing = [n for n in SECRET_SETTINGS if not get(settings, n) and n != "pongo_client_secret"]
    if not missing:
        return settings
    store = instance_path / "secrets.json"
    saved: dict[str, str] = json.loads(store.read_text()) if store.exists() else {}
    fresh = {
        "secret_key": lambda: secrets.token_urlsafe(48),
        "launch_secret": lambda: secrets.token_urlsafe(48),
        "encryption_keys": lambda: Fernet.generate_key().decode(),
    }
    created = [n for n in missing if n not in saved]
    for name in created:
        saved[name] = fresh[name]()
    if created:
        instance_path.mkdir(parents=True, exist_ok=True)
        store.write_text(json.dumps(saved, indent=2))
        store.chmod(0o600)
        print(f" * Generated development secrets in {store}", file=sys.stderr)
    generated: dict[str, Any] = {n: saved[n] for n in missing}
    return with_values(settings, generated)


def default_database_url(instance_path: Path) -> str:
    """SQLite under instance/, for development."""
    return f"sqlite:///{instance_path / 'portal.db'}"


def load(overrides: Mapping[str, Any] | None, instance_path: Path) -> Settings:
    """Settings for this process: environment, overrides, then development defaults."""
    settings = from_environ(os.environ, overrides)
    if settings.production:
        check_production(settings)
        return settings
    if problems := metrics_problems(settings):
        raise SettingsError("Refusing to start: " + "; ".join(problems))
    settings = fill_development_secrets(settings, instance_path)
    if not settings.database_url:
        instance_path.mkdir(parents=True, exist_ok=True)
        settings = replace(settings, database_url=default_database_url(instance_path))
    return settings


def settings_table() -> list[tuple[str, str]]:
    """Each environment variable with its default, for documentation checks."""
    return [(f.metadata["var"], str(f.default)) for _, _, f in _leaves()]


# Where create_app keeps the settings; read them through current() or of(app).
EXTENSION = "portal.settings"


def of(app: Flask) -> Settings:
    """The settings of this app."""
    settings: Settings = app.extensions[EXTENSION]
    return settings


def current() -> Settings:
    """The settings of the app handling this request, command or job."""
    return of(current_app)
