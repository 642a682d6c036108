"""Counts of what a privacy operation changed, reported to the caller and the audit log."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Self


@dataclass
class Counts:
    """A dataclass of whole numbers, one per kind of row changed."""

    def add(self, other: Self) -> None:
        """Add another report's counts to this one."""
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict[str, int]:
        """The counts by name."""
        return asdict(self)
