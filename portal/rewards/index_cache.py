"""A small process-local cache of built catalogue indexes, one per merchant, keyed by version.

Reading and indexing a 50,000-product catalogue takes over a hundred milliseconds, far
too much per page view, while catalogues change a few times a day. Each worker process
keeps the last few merchants' indexes and rebuilds one only when its catalogue version
(product count and latest change) moves. Stale entries are never served: the version is
read from the database on every use, so a catalogue pushed through another worker is seen
at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")

DEFAULT_SIZE = 8


class IndexCache(Generic[V]):
    """Least-recently-used values per merchant, each stamped with the version it was built from."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[int, tuple[Hashable, V]] = OrderedDict()
        self._lock = threading.Lock()
        # One build at a time per merchant: a second request for the same cold catalogue
        # waits for the first instead of spending another second building a copy.
        self._building: dict[int, threading.Lock] = {}
        self.builds = 0

    def get(self, merchant_id: int, version: Hashable, build: Callable[[], V]) -> V:
        """The merchant's value for this version, built (once) when missing or outdated."""
        found = self._lookup(merchant_id, version)
        if found is not None:
            return found[0]
        with self._lock:
            builder = self._building.setdefault(merchant_id, threading.Lock())
        with builder:
            found = self._lookup(merchant_id, version)
            if found is not None:
                return found[0]
            value = build()
            with self._lock:
                self.builds += 1
                self._entries[merchant_id] = (version, value)
                self._entries.move_to_end(merchant_id)
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
            return value

    def _lookup(self, merchant_id: int, version: Hashable) -> tuple[V] | None:
        with self._lock:
            entry = self._entries.get(merchant_id)
            if entry is None or entry[0] != version:
                return None
            self._entries.move_to_end(merchant_id)
            return (entry[1],)

    def clear(self) -> None:
        """Forget every entry (tests and benchmarks measuring a cold start)."""
        with self._lock:
            self._entries.clear()
