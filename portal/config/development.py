"""Development defaults: secrets created once under instance/, and a SQLite database there."""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from portal.config.environ import get, with_values
from portal.config.schema import SECRET_SETTINGS, Settings

_FRESH = {
    "secret_key": lambda: secrets.token_urlsafe(48),
    "launch_secret": lambda: secrets.token_urlsafe(48),
    "encryption_keys": lambda: Fernet.generate_key().decode(),
}


def fill_development_secrets(
    settings: Settings, instance_path: Path, demo_clients: Mapping[str, str] | None = None
) -> Settings:
    """Outside production, create missing secrets once under instance/ and reuse them.

    `demo_clients` (client id to secret) are the demo's published Pongo clients: a client
    without a configured secret uses its demo secret, so development connects out of the box.
    """
    if not settings.pongo.client_secret:
        secret = (demo_clients or {}).get(settings.pongo.client_id, "")
        settings = with_values(settings, {"pongo_client_secret": secret})
    missing = [n for n in SECRET_SETTINGS if not get(settings, n) and n != "pongo_client_secret"]
    if not missing:
        return settings
    store = instance_path / "secrets.json"
    saved: dict[str, str] = json.loads(store.read_text()) if store.exists() else {}
    created = [n for n in missing if n not in saved]
    for name in created:
        saved[name] = _FRESH[name]()
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
