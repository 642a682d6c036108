"""Prometheus metrics: the relay's outbox from the database, sends, Pongo calls and pages.

Gauges about the outbox are computed from the database at scrape time (a custom
collector), so they are right whatever the number of web and worker processes.
Counters and histograms live in each process: with PROMETHEUS_MULTIPROC_DIR set to a
directory shared by the web server and the relay workers of one host, `/metrics` adds
them up across processes; without it, it shows those of the process that answers.
`/metrics` is not public: a Bearer token (PORTAL_METRICS_TOKEN) or a scrape address
(PORTAL_METRICS_ALLOWED_ADDRESSES) is required; with neither set it is 404.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Iterator

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from portal import config
from portal.access import PUBLIC, blueprint_policy
from portal.extensions import db, limiter

RELAY_SENDS = Counter(
    "portal_relay_sends", "Orders the relay sent to Pongo, by recorded outcome.", ["outcome"]
)
BREAKER_STATE = Gauge(
    "portal_relay_breaker_state",
    "The relay's circuit breaker: 0 closed, 1 half-open, 2 open (the worst live worker).",
    multiprocess_mode="livemax",
)
BREAKER_VALUES = {"closed": 0, "half_open": 1, "open": 2}
PONGO_SECONDS = Histogram(
    "portal_pongo_request_seconds",
    "Time of one call to Pongo (retries included), by endpoint.",
    ["endpoint"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30),
)
PONGO_ERRORS = Counter(
    "portal_pongo_errors",
    "Calls to Pongo that ended in an error, by endpoint and error type.",
    ["endpoint", "error"],
)
PAGE_SECONDS = Histogram(
    "portal_page_seconds",
    "Time to answer one request of the portal, by endpoint.",
    ["endpoint"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

bp = Blueprint("metrics", __name__)
# Guarded by its own token or address check below, not by a session.
blueprint_policy(bp, PUBLIC)


class OutboxCollector(Collector):
    """The relay outbox read from the database at scrape time."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        """Orders by relay status and the age of the oldest pending one."""
        from portal.models.dbclock import db_now
        from portal.models.orders import Order, OrderRelay, RelayStatus

        with self.app.app_context(), db.engine.connect() as connection:
            counts = dict(
                connection.execute(
                    select(OrderRelay.status, func.count()).group_by(OrderRelay.status)
                ).all()
            )
            oldest, now = connection.execute(
                select(func.min(Order.received_at), db_now())
                .join(OrderRelay, OrderRelay.order_id == Order.id)
                .where(OrderRelay.status == RelayStatus.PENDING)
            ).one()
        depth = GaugeMetricFamily(
            "portal_relay_outbox_orders",
            "Orders in the relay outbox, by status.",
            labels=["status"],
        )
        for status in RelayStatus:
            depth.add_metric([status.value], float(counts.get(status.value, 0)))
        yield depth
        age = 0.0 if oldest is None or now is None else max(0.0, (now - oldest).total_seconds())
        yield GaugeMetricFamily(
            "portal_relay_oldest_pending_age_seconds",
            "Age of the oldest pending order, since the POS sent it (0 when none is pending).",
            value=age,
        )


class _ProcessMetrics(Collector):
    """This process's own metrics, or every process's in multiprocess mode."""

    def collect(self) -> Iterator[Metric]:
        directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if directory:
            # prometheus-client leaves these two untyped.
            collector = MultiProcessCollector(CollectorRegistry(), path=directory)  # type: ignore[no-untyped-call]
            yield from collector.collect()  # type: ignore[no-untyped-call]
        else:
            yield from REGISTRY.collect()


def _allowed_address(addresses: str, remote: str | None) -> bool:
    if not remote:
        return False
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return False
    for item in addresses.split(","):
        item = item.strip()
        if item and address in ipaddress.ip_network(item, strict=False):
            return True
    return False


def _check_scraper() -> None:
    """404 when metrics are off, 401 for a scraper without the token or an allowed address."""
    access = config.current().metrics
    token, addresses = access.token, access.allowed_addresses
    if not token and not addresses:
        abort(404)
    if addresses and _allowed_address(addresses, request.remote_addr):
        return
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return
    abort(401)


@bp.get("/metrics")
@limiter.exempt
def scrape() -> Response:
    """The metrics in Prometheus's text format."""
    _check_scraper()
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_ProcessMetrics())
    registry.register(OutboxCollector(current_app._get_current_object()))  # type: ignore[attr-defined]  # the real app
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def observe_pongo(
    endpoint: str, seconds: float, error: BaseException | None, *, status_code: int = 0
) -> None:
    """Count one call to Pongo: its time, and its error (an exception or an HTTP 4xx/5xx)."""
    PONGO_SECONDS.labels(endpoint=endpoint).observe(seconds)
    if error is not None:
        PONGO_ERRORS.labels(endpoint=endpoint, error=type(error).__name__).inc()
    elif status_code >= 400:
        PONGO_ERRORS.labels(endpoint=endpoint, error=f"http_{status_code}").inc()


def start_timer() -> None:
    """Before everything else of a request: note when it started."""
    g.metrics_started = time.perf_counter()


def observe_page(response: Response) -> Response:
    """After the view: record the request's time under its endpoint."""
    started = g.get("metrics_started")
    if started is not None and request.endpoint and request.endpoint != "metrics.scrape":
        PAGE_SECONDS.labels(endpoint=request.endpoint).observe(time.perf_counter() - started)
    return response


def init_app(app: Flask) -> None:
    """Serve /metrics; portal/lifecycle.py times every request."""
    app.register_blueprint(bp)
