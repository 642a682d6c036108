"""The demo fixture works end to end with the portal's settings: connect, then read the account."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from portal.pongo import PongoClient, PongoSettings, endpoints, exchange_code
from portal.sandbox import DEMO_FIXTURE
from portal.sandbox.server import RunningSandbox, start_sandbox
from tests.helpers.shop import decide, read_form, redirect_params

CALLBACK = "http://127.0.0.1:5000/connect/callback"


@pytest.fixture(scope="module")
def demo_sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(DEMO_FIXTURE, controls=False) as running:
        yield running


def connect(http: httpx.Client, settings: PongoSettings, login: str) -> str:
    page = http.get(
        endpoints.OAUTH_FORM.path,
        params={
            "client_id": settings.client_id,
            "state": "demo-state",
            "redirect_uri": settings.redirect_uri,
            "scope": settings.scope_param,
        },
    )
    form = read_form(page.text)
    assert form.action
    consent = http.post(form.action, data={**form.fields, "login": login, "password": "pongo-demo"})
    code = redirect_params(decide(http, consent, "approve"))["code"]
    return exchange_code(settings, code, http=http).access_token


def test_demo_merchants_connect_and_see_only_their_own_data(demo_sandbox: RunningSandbox) -> None:
    settings = PongoSettings(
        base_url=demo_sandbox.url,
        client_id="portal-demo",
        client_secret="portal-demo-secret-7f3a9c2e",
        redirect_uri=CALLBACK,
    )
    with httpx.Client(base_url=demo_sandbox.url) as http:
        bakery = connect(http, settings, "demo@boulangerie-lumiere.fr")
        pizzeria = connect(http, settings, "demo@nonna.example")
        client = PongoClient(settings, lambda: bakery, http=http)
        assert client.me().name == "Boulangerie Lumière"
        stores = client.stores()
        assert len(stores) == 6
        assert {s.city for s in stores} >= {"Paris", "Lyon", "Bordeaux", "Lille", "Nantes"}
        rewards = client.rewards()
        assert len(rewards) >= 15
        raw = {r.raw_external_id for r in rewards}
        assert None in raw
        assert "" in raw
        assert "BAK-001,," in raw
        other = PongoClient(settings, lambda: pizzeria, http=http)
        assert {s.slug for s in other.stores()}.isdisjoint({s.slug for s in stores})
