"""Encryption at rest for Pongo tokens: Fernet keys from settings, newest first."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from portal import config

__all__ = ["InvalidToken", "decrypt", "encrypt", "keyring", "rotate"]


def keyring(keys: list[str] | None = None) -> MultiFernet:
    """The configured keys; the first encrypts, all of them decrypt."""
    if keys is None:
        keys = config.current().fernet_keys
    if not keys:
        raise RuntimeError("PORTAL_ENCRYPTION_KEYS is empty")
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(plaintext: str, ring: MultiFernet | None = None) -> str:
    """Authenticated encryption of a secret for storage."""
    return (ring or keyring()).encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str, ring: MultiFernet | None = None) -> str:
    """The secret back; raises InvalidToken when it was tampered with or the key is gone."""
    return (ring or keyring()).decrypt(ciphertext.encode()).decode()


def rotate(ciphertext: str, ring: MultiFernet | None = None) -> str:
    """Re-encrypt under the newest key."""
    return (ring or keyring()).rotate(ciphertext.encode()).decode()
