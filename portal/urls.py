"""The one place untrusted redirect targets are checked."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit, urlunsplit


def safe_local_path(unsafe_next: object) -> str | None:
    """Return the target if it is a path on this site, else None."""
    if not isinstance(unsafe_next, str) or not unsafe_next.startswith("/"):
        return None
    if unsafe_next.startswith("//") or "\\" in unsafe_next or any(c < " " for c in unsafe_next):
        return None
    parts = urlsplit(unsafe_next)
    return None if parts.scheme or parts.netloc else unsafe_next


def _resolved_path(path: str) -> str | None:
    """The path with dot segments resolved as a browser would (`%2e` counts as a dot).

    None when a segment hides a separator (`%2f`, `%5c`) that a server might split on.
    """
    resolved: list[str] = []
    segments = path.split("/")[1:]
    for index, segment in enumerate(segments):
        plain = unquote(segment)
        if "/" in plain or "\\" in plain:
            return None
        last = index == len(segments) - 1
        if plain == "..":
            if resolved:
                resolved.pop()
            if last:
                resolved.append("")
        elif plain == ".":
            if last:
                resolved.append("")
        else:
            resolved.append(segment)
    return "/" + "/".join(resolved)


def under_origin(unsafe_url: object, origin: str) -> str | None:
    """The URL, its path normalised, if it is on `origin` (scheme, host, port) under its path.

    The origin's path matches on a segment boundary (`/administrator` is not under `/admin`);
    backslashes, control characters, spaces and URLs that do not parse are refused.
    """
    if not isinstance(unsafe_url, str) or not origin:
        return None
    if "\\" in unsafe_url or any(c.isspace() or c < " " or c == "\x7f" for c in unsafe_url):
        return None
    try:
        target, allowed = urlsplit(unsafe_url), urlsplit(origin)
        target.port, allowed.port  # noqa: B018  # raises ValueError on a malformed port
    except ValueError:
        return None
    if target.scheme not in ("http", "https") or "@" in target.netloc:
        return None
    same = (target.scheme, target.netloc.lower()) == (allowed.scheme, allowed.netloc.lower())
    path = _resolved_path(target.path or "/")
    if not same or path is None:
        return None
    base_path = _resolved_path(allowed.path.rstrip("/") or "/")
    base_path = (base_path or "").rstrip("/")
    if base_path and not (path == base_path or path.startswith(base_path + "/")):
        return None
    return urlunsplit(target._replace(path=path))
