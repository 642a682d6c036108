"""Objects that hold a resource (a connection pool, a server) and free it when a `with` ends."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Self


class ClosedOnExit(ABC):
    """Usable in a `with` block, which closes it on the way out, whatever happened inside."""

    @abstractmethod
    def close(self) -> None:
        """Free what the object holds."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
