"""The checks production runs before it starts: no missing, placeholder or unsafe setting."""

from __future__ import annotations

from collections.abc import Collection

from cryptography.fernet import Fernet

from portal.config.environ import get, variable
from portal.config.schema import SECRET_SETTINGS, Settings, SettingsError

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


def check_production(settings: Settings, published_secrets: Collection[str] = ()) -> None:
    """Refuse to run production with a missing, placeholder or unsafe setting.

    `published_secrets` are client secrets anyone can read (the demo's): never valid here.
    """
    problems = [
        f"{variable(name)} is missing or a placeholder"
        for name in SECRET_SETTINGS
        if get(settings, name).strip().lower() in PLACEHOLDERS
    ]
    if len(settings.secret_key) < 32 and variable("secret_key") not in " ".join(problems):
        problems.append("PORTAL_SECRET_KEY must be at least 32 characters")
    if len(settings.launch.secret) < 32 and variable("launch_secret") not in " ".join(problems):
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
            problems.append(f"{variable(name)} must be an https:// URL")
    if settings.demo:
        problems.append("PORTAL_DEMO must be off in production")
    if settings.pongo.client_secret in published_secrets:
        problems.append("PONGO_CLIENT_SECRET is a client secret of the Pongo sandbox's demo")
    if problems:
        raise SettingsError("Refusing to start: " + "; ".join(problems))
