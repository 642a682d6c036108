"""Settings read from the environment once, validated, and reached through `current()`.

The schema is in schema.py, reading the environment in environ.py, the production checks in
production.py and the development defaults in development.py; this module loads them for a
process and gives them to the code that runs in an app.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from portal.config.development import default_database_url, fill_development_secrets
from portal.config.environ import from_environ, get, settings_table, with_values
from portal.config.production import PLACEHOLDERS, check_production
from portal.config.schema import (
    ENVIRONMENTS,
    SECRET_SETTINGS,
    LaunchSettings,
    MailSettings,
    MetricsSettings,
    OrderSettings,
    PongoSettings,
    RelaySettings,
    SessionSettings,
    Settings,
    SettingsError,
    SyncSettings,
)

__all__ = [
    "ENVIRONMENTS",
    "EXTENSION",
    "PLACEHOLDERS",
    "SECRET_SETTINGS",
    "LaunchSettings",
    "MailSettings",
    "MetricsSettings",
    "OrderSettings",
    "PongoSettings",
    "RelaySettings",
    "SessionSettings",
    "Settings",
    "SettingsError",
    "SyncSettings",
    "check_production",
    "current",
    "fill_development_secrets",
    "from_environ",
    "get",
    "load",
    "of",
    "settings_table",
    "with_values",
]

# Where create_app keeps the settings; read them through current() or of(app).
EXTENSION = "portal.settings"


def load(
    overrides: Mapping[str, Any] | None,
    instance_path: Path,
    demo_clients: Mapping[str, str] | None = None,
) -> Settings:
    """Settings for this process: environment, overrides, then development defaults.

    `demo_clients` are the demo's published Pongo client secrets by client id: refused in
    production, used in development for a client without a secret of its own.
    """
    settings = from_environ(os.environ, overrides)
    if settings.production:
        check_production(settings, (demo_clients or {}).values())
        return settings
    settings = fill_development_secrets(settings, instance_path, demo_clients)
    if not settings.database_url:
        instance_path.mkdir(parents=True, exist_ok=True)
        settings = replace(settings, database_url=default_database_url(instance_path))
    return settings


def of(app: Flask) -> Settings:
    """The settings of this app."""
    settings: Settings = app.extensions[EXTENSION]
    return settings


def current() -> Settings:
    """The settings of the app handling this request, command or job."""
    return of(current_app)
