"""Prometheus metrics of the sync workers (portal/metrics.py will serve them at /metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

MERCHANTS_SYNCED = Counter(
    "portal_sync_merchants_synced", "Merchants whose stores and rewards were synced with Pongo."
)
SYNC_FAILURES = Counter(
    "portal_sync_failures", "Syncs with Pongo that failed, by reason.", ["reason"]
)
OLDEST_SYNC_AGE = Gauge(
    "portal_sync_oldest_age_seconds",
    "Age of the oldest last successful sync among connected merchants.",
)
