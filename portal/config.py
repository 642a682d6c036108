"""Settings read from the environment once, validated, and turned into Flask config."""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

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


@dataclass(frozen=True)
class Settings:
    """Every setting of the portal, with its environment variable in the metadata."""

    env: str = field(default="development", metadata={"var": "PORTAL_ENV"})
    secret_key: str = field(default="", metadata={"var": "PORTAL_SECRET_KEY"})
    database_url: str = field(default="", metadata={"var": "DATABASE_URL"})
    redis_url: str = field(default="", metadata={"var": "REDIS_URL"})
    base_url: str = field(default="http://127.0.0.1:5000", metadata={"var": "PORTAL_BASE_URL"})
    launch_secret: str = field(default="", metadata={"var": "PORTAL_LAUNCH_SECRET"})
    launch_issuer: str = field(default="pos-admin", metadata={"var": "PORTAL_LAUNCH_ISSUER"})
    pos_admin_origin: str = field(
        default="http://127.0.0.1:5000", metadata={"var": "PORTAL_POS_ADMIN_ORIGIN"}
    )
    encryption_keys: str = field(default="", metadata={"var": "PORTAL_ENCRYPTION_KEYS"})
    pongo_base_url: str = field(default="http://127.0.0.1:5001", metadata={"var": "PONGO_BASE_URL"})
    pongo_client_id: str = field(default="portal-demo", metadata={"var": "PONGO_CLIENT_ID"})
    pongo_client_secret: str = field(default="", metadata={"var": "PONGO_CLIENT_SECRET"})
    pongo_redirect_uri: str = field(
        default="http://127.0.0.1:5000/connect/callback", metadata={"var": "PONGO_REDIRECT_URI"}
    )
    pongo_scopes: str = field(default="reward.read,order.create", metadata={"var": "PONGO_SCOPES"})
    pongo_token_path: str = field(default="/v1/oauth/token", metadata={"var": "PONGO_TOKEN_PATH"})
    pongo_token_grant_type: str = field(
        default="client_credentials", metadata={"var": "PONGO_TOKEN_GRANT_TYPE"}
    )
    session_idle_minutes: int = field(default=30, metadata={"var": "PORTAL_SESSION_IDLE_MINUTES"})
    session_absolute_hours: int = field(
        default=12, metadata={"var": "PORTAL_SESSION_ABSOLUTE_HOURS"}
    )
    proxy_hops: int = field(default=0, metadata={"var": "PORTAL_PROXY_HOPS"})
    timezone: str = field(default="Europe/Paris", metadata={"var": "PORTAL_TIMEZONE"})
    demo: bool = field(default=False, metadata={"var": "PORTAL_DEMO"})
    max_body_mb: int = field(default=32, metadata={"var": "PORTAL_MAX_BODY_MB"})
    api_rate_limit: str = field(default="600/minute", metadata={"var": "PORTAL_API_RATE_LIMIT"})
    # Pongo has not published the allowed values of these order fields; the relay fills
    # every order with them, so they can be corrected without a release.
    pongo_order_channel: str = field(default="pos", metadata={"var": "PONGO_ORDER_CHANNEL"})
    pongo_order_delivery_mode: str = field(
        default="on_site", metadata={"var": "PONGO_ORDER_DELIVERY_MODE"}
    )
    pongo_order_status: str = field(default="completed", metadata={"var": "PONGO_ORDER_STATUS"})
    pongo_order_delivery_status: str = field(
        default="delivered", metadata={"var": "PONGO_ORDER_DELIVERY_STATUS"}
    )
    relay_max_attempts: int = field(default=10, metadata={"var": "PORTAL_RELAY_MAX_ATTEMPTS"})
    relay_backoff_seconds: float = field(
        default=30.0, metadata={"var": "PORTAL_RELAY_BACKOFF_SECONDS"}
    )
    relay_backoff_cap_seconds: float = field(
        default=3600.0, metadata={"var": "PORTAL_RELAY_BACKOFF_CAP_SECONDS"}
    )
    relay_lease_seconds: float = field(
        default=120.0, metadata={"var": "PORTAL_RELAY_LEASE_SECONDS"}
    )
    relay_batch_size: int = field(default=20, metadata={"var": "PORTAL_RELAY_BATCH_SIZE"})
    relay_breaker_failures: int = field(
        default=5, metadata={"var": "PORTAL_RELAY_BREAKER_FAILURES"}
    )
    relay_breaker_reset_seconds: float = field(
        default=30.0, metadata={"var": "PORTAL_RELAY_BREAKER_RESET_SECONDS"}
    )

    @property
    def production(self) -> bool:
        """True when running for real merchants."""
        return self.env == "production"

    @property
    def fernet_keys(self) -> list[str]:
        """Encryption keys, newest first."""
        return [k.strip() for k in self.encryption_keys.split(",") if k.strip()]


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


def from_environ(
    environ: Mapping[str, str], overrides: Mapping[str, Any] | None = None
) -> Settings:
    """Read settings from environment variables, then apply explicit overrides."""
    values: dict[str, Any] = {}
    for f in fields(Settings):
        var = f.metadata["var"]
        if var in environ:
            values[f.name] = _coerce(var, f.type, environ[var])
    settings = Settings(**values)
    if overrides:
        settings = replace(settings, **dict(overrides))
    if settings.env not in ENVIRONMENTS:
        raise SettingsError(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}")
    return settings


def _var(name: str) -> str:
    return str(next(f.metadata["var"] for f in fields(Settings) if f.name == name))


def check_production(settings: Settings) -> None:
    """Refuse to run production with a missing, placeholder or unsafe setting."""
    problems = [
        f"{_var(name)} is missing or a placeholder"
        for name in SECRET_SETTINGS
        if getattr(settings, name).strip().lower() in PLACEHOLDERS
    ]
    if len(settings.secret_key) < 32 and _var("secret_key") not in " ".join(problems):
        problems.append("PORTAL_SECRET_KEY must be at least 32 characters")
    if len(settings.launch_secret) < 32 and _var("launch_secret") not in " ".join(problems):
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
        if not getattr(settings, name).startswith("https://"):
            problems.append(f"{_var(name)} must be an https:// URL")
    if settings.demo:
        problems.append("PORTAL_DEMO must be off in production")
    if problems:
        raise SettingsError("Refusing to start: " + "; ".join(problems))


# The client secret of the sandbox's demo fixture, so that development connects out of the box.
DEMO_CLIENT_SECRET = "portal-demo-secret-7f3a9c2e"  # noqa: S105  # a public demo value


def fill_development_secrets(settings: Settings, instance_path: Path) -> Settings:
    """Outside production, create missing secrets once under instance/ and reuse them."""
    if not settings.pongo_client_secret:
        settings = replace(settings, pongo_client_secret=DEMO_CLIENT_SECRET)
    missing = [
        n for n in SECRET_SETTINGS if not getattr(settings, n) and n != "pongo_client_secret"
    ]
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
    return replace(settings, **generated)


def default_database_url(instance_path: Path) -> str:
    """SQLite under instance/, for development."""
    return f"sqlite:///{instance_path / 'portal.db'}"


def load(overrides: Mapping[str, Any] | None, instance_path: Path) -> Settings:
    """Settings for this process: environment, overrides, then development defaults."""
    settings = from_environ(os.environ, overrides)
    if settings.production:
        check_production(settings)
        return settings
    settings = fill_development_secrets(settings, instance_path)
    if not settings.database_url:
        instance_path.mkdir(parents=True, exist_ok=True)
        settings = replace(settings, database_url=default_database_url(instance_path))
    return settings


def settings_table() -> list[tuple[str, str]]:
    """Each environment variable with its default, for documentation checks."""
    return [(f.metadata["var"], str(f.default)) for f in fields(Settings)]
