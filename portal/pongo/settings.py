"""The Pongo client's settings: the portal's Pongo section of its settings, in one shape."""

from __future__ import annotations

from portal.config.schema import (
    DEFAULT_SCOPES,
    TOKEN_GRANT_TYPE,
    PongoSettings,
    parse_scopes,
)

__all__ = ["DEFAULT_SCOPES", "TOKEN_GRANT_TYPE", "PongoSettings", "parse_scopes"]
