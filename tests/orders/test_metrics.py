"""The /metrics endpoint: closed by default, opened by a token or a scrape address."""

from __future__ import annotations

import httpx
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

from portal import config
from tests.helpers.apps import make_app
from tests.helpers.orders import OrdersApi, fast_worker, order_body

TOKEN = "metrics-token-0123456789abcdef"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, keyed by name and labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_are_404_unless_configured(database_url: str) -> None:
    app = make_app(database_url)
    assert app.test_client().get("/metrics").status_code == 404


def test_metrics_need_the_bearer_token(database_url: str) -> None:
    app = make_app(database_url, metrics_token=TOKEN)
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    assert answer.content_type.startswith("text/plain")


def test_metrics_open_to_an_allowed_scrape_address(database_url: str) -> None:
    app = make_app(database_url, metrics_allowed_addresses="10.0.0.0/8, 192.0.2.7")
    client = app.test_client()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.8"}).status_code == 401


def test_scrape_reports_the_outbox_sends_pongo_calls_and_pages(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    settings = relay_app.extensions["portal.settings"]
    relay_app.extensions["portal.settings"] = config.with_values(settings, {"metrics_token": TOKEN})
    client = relay_app.test_client()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    before = samples(client.get("/metrics", headers=headers).get_data(as_text=True))
    sent_before = before.get(("portal_relay_sends_total", (("outcome", "delivered"),)), 0.0)
    for n in range(3):
        api.order(order_body(f"MET-{n}"))
    scraped = samples(client.get("/metrics", headers=headers).get_data(as_text=True))
    assert scraped[("portal_relay_outbox_orders", (("status", "pending"),))] == 3
    assert scraped[("portal_relay_oldest_pending_age_seconds", ())] >= 0
    with fast_worker(relay_app) as worker:
        worker.drain()
    scraped = samples(client.get("/metrics", headers=headers).get_data(as_text=True))
    assert scraped[("portal_relay_outbox_orders", (("status", "delivered"),))] == 3
    assert scraped[("portal_relay_outbox_orders", (("status", "pending"),))] == 0
    assert scraped[("portal_relay_oldest_pending_age_seconds", ())] == 0
    delivered = scraped[("portal_relay_sends_total", (("outcome", "delivered"),))]
    assert delivered - sent_before == 3
    assert scraped[("portal_relay_breaker_state", ())] == 0
    assert scraped[("portal_pongo_request_seconds_count", (("endpoint", "create_order"),))] >= 3
    page_counts = [
        value
        for (name, labels), value in scraped.items()
        if name == "portal_page_seconds_count" and labels[0][1].startswith("api.")
    ]
    assert sum(page_counts) >= 3
