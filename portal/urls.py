"""The one place untrusted redirect targets are checked."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_local_path(unsafe_next: object) -> str | None:
    """Return the target if it is a path on this site, else None."""
    if not isinstance(unsafe_next, str) or not unsafe_next.startswith("/"):
        return None
    if unsafe_next.startswith("//") or "\\" in unsafe_next or any(c < " " for c in unsafe_next):
        return None
    parts = urlsplit(unsafe_next)
    return None if parts.scheme or parts.netloc else unsafe_next


def under_origin(unsafe_url: object, origin: str) -> str | None:
    """Return the URL if it is on `origin` (scheme, host and port), else None."""
    if not isinstance(unsafe_url, str) or not origin or any(c < " " for c in unsafe_url):
        return None
    try:
        target, allowed = urlsplit(unsafe_url), urlsplit(origin)
    except ValueError:  # e.g. an unclosed IPv6 bracket: not a URL at all
        return None
    if target.scheme not in ("http", "https") or "@" in target.netloc:
        return None
    same = (target.scheme, target.netloc.lower()) == (allowed.scheme, allowed.netloc.lower())
    if not same:
        return None
    base_path = allowed.path.rstrip("/")
    if base_path and not (target.path == base_path or target.path.startswith(base_path + "/")):
        return None
    return unsafe_url
