"""The portal's settings in tests, and a complete production configuration."""

from __future__ import annotations

from typing import Any

from tests.helpers.launch import ISSUER, LAUNCH_SECRET

TEST_SETTINGS: dict[str, Any] = {
    "env": "test",
    "secret_key": "test-secret-key-0123456789abcdef0123456789",
    "launch_secret": LAUNCH_SECRET,
    "launch_issuer": ISSUER,
    "encryption_keys": "2D1zOnGm0h9oDydeGz1Lqyvkcq3Mxb0lC2c9b5Gq4tA=",
    "pongo_client_secret": "portal-demo-secret-7f3a9c2e",
    "base_url": "http://127.0.0.1:5000",
    "pos_admin_origin": "https://pos.example.com",
}

# Every value a production start checks, made up.
PRODUCTION_SETTINGS: dict[str, Any] = {
    "env": "production",
    "secret_key": "s" * 40,
    "launch_secret": "l" * 40,
    "encryption_keys": TEST_SETTINGS["encryption_keys"],
    "pongo_client_secret": "real-client-secret",
    "database_url": "postgresql+psycopg://db/portal",
    "redis_url": "redis://cache:6379/0",
    "base_url": "https://portal.example.com",
    "pongo_base_url": "https://api.heypongo.com",
    "pongo_redirect_uri": "https://portal.example.com/connect/callback",
}
