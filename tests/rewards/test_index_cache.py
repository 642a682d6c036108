"""The process-local cache of catalogue indexes: one build per catalogue version."""

from __future__ import annotations

import threading
import time

from portal.rewards.index_cache import IndexCache


def test_same_version_is_built_once_and_a_new_version_rebuilds() -> None:
    cache: IndexCache[str] = IndexCache()
    assert cache.get(1, ("v1",), lambda: "index v1") == "index v1"
    assert cache.get(1, ("v1",), lambda: "rebuilt") == "index v1"
    assert cache.get(1, ("v2",), lambda: "index v2") == "index v2"
    assert cache.builds == 2


def test_least_recently_used_merchant_is_dropped_first() -> None:
    cache: IndexCache[int] = IndexCache(size=2)
    cache.get(1, 0, lambda: 1)
    cache.get(2, 0, lambda: 2)
    cache.get(1, 0, lambda: -1)  # merchant 1 used again: merchant 2 is now the oldest
    cache.get(3, 0, lambda: 3)
    assert cache.get(1, 0, lambda: -1) == 1
    assert cache.get(2, 0, lambda: 22) == 22


def test_concurrent_requests_for_a_cold_catalogue_build_it_once() -> None:
    cache: IndexCache[str] = IndexCache()

    def slow_build() -> str:
        time.sleep(0.05)
        return "index"

    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get(7, "v", slow_build)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["index"] * 8
    assert cache.builds == 1
