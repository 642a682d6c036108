"""Settings read from environment variables, and settings named by their flat name."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import MISSING, Field, fields, replace
from typing import Any

from portal.config.schema import ENVIRONMENTS, Settings, SettingsError


def leaves() -> Iterator[tuple[str, str | None, Field[Any]]]:
    """Every setting as (flat name, section or None, field), in declaration order.

    A section's fields without an environment variable (the Pongo client's fixed
    timeouts) are not settings.
    """
    for f in fields(Settings):
        if f.default_factory is MISSING:
            yield f.name, None, f
        else:
            for sub in fields(f.default_factory()):
                if "var" in sub.metadata:
                    yield f"{f.name}_{sub.name}", f.name, sub


def _coerce(f: Field[Any], raw: str) -> Any:
    """Turn an environment string into the setting's type, naming the variable on failure."""
    name, kind = f.metadata["var"], f.type
    if "parse" in f.metadata:
        return f.metadata["parse"](raw)
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
    for flat, section, f in leaves():
        if flat == name:
            return getattr(getattr(settings, section) if section else settings, f.name)
    raise KeyError(name)


def variable(name: str) -> str:
    """The environment variable of a setting given by its flat name."""
    return str(next(f.metadata["var"] for flat, _, f in leaves() if flat == name))


def with_values(settings: Settings, values: Mapping[str, Any]) -> Settings:
    """A copy with some settings changed, given by flat name; an unknown name is a TypeError."""
    known = {flat: (section, f.name) for flat, section, f in leaves()}
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
    for name, _section, f in leaves():
        var = f.metadata["var"]
        if var in environ:
            values[name] = _coerce(f, environ[var])
    settings = with_values(Settings(), {**values, **dict(overrides or {})})
    if settings.env not in ENVIRONMENTS:
        raise SettingsError(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}")
    return settings


def _shown(default: Any) -> str:
    return ",".join(default) if isinstance(default, tuple) else str(default)


def settings_table() -> list[tuple[str, str]]:
    """Each environment variable with its default, for documentation checks."""
    return [(f.metadata["var"], _shown(f.default)) for _, _, f in leaves()]
