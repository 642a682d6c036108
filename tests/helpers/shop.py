"""A small fixture and helpers that act like a merchant on the sandbox's hosted form."""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from portal.sandbox import routes

CLIENT_ID = "shop"
CLIENT_SECRET = "shop-secret"
REDIRECT_URI = "https://pos.example/pongo/callback"
ALICE = "alice@bakery.example"
BOB = "bob@pizza.example"
PASSWORD = "correct horse"

FIXTURE: dict[str, Any] = {
    "token_lifetime": 600,
    "clients": [
        {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "name": "Shop POS",
            "redirect_uris": [REDIRECT_URI, "http://127.0.0.1:5000/connect/callback"],
        },
        {
            "client_id": "other",
            "client_secret": "other-secret",
            "name": "Other POS",
            "redirect_uris": ["https://other.example/callback"],
        },
    ],
    "accounts": [
        {
            "login": ALICE,
            "password": PASSWORD,
            "name": "Alice's Bakery",
            "stores": [
                {
                    "slug": "alice-paris",
                    "name": "Alice Paris",
                    "address": "1 rue de Rivoli",
                    "city": "Paris",
                    "postal_code": "75001",
                    "public_id": "sto_alice00001",
                },
                {"slug": "alice-lyon", "name": "Alice Lyon", "public_id": "sto_alice00002"},
            ],
            "rewards": [
                {
                    "public_id": "rew_a000000001",
                    "name": "Croissant",
                    "points": 50,
                    "external_id": "BAK-001",
                },
                {
                    "public_id": "rew_a000000002",
                    "name": "Coffee",
                    "points": 40,
                    "external_id": None,
                    "store_slugs": ["alice-lyon"],
                },
                {
                    "public_id": "rew_a000000003",
                    "name": "Student brioche",
                    "points": 30,
                    "external_id": "BAK-030",
                    "customers": ["cus_student"],
                    "colour": "gold",
                },
            ],
        },
        {
            "login": BOB,
            "password": PASSWORD,
            "name": "Bob's Pizza",
            "stores": [{"slug": "bob-nice", "name": "Bob Nice"}],
            "rewards": [
                {
                    "public_id": "rew_b000000001",
                    "name": "Tiramisu",
                    "points": 80,
                    "external_id": "PIZ-9",
                }
            ],
        },
    ],
}


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.buttons: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = a.get("action")
        if tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self.fields[a["name"] or ""] = a.get("value") or ""
        if tag == "button" and a.get("value"):
            self.buttons.append(a["value"] or "")


def read_form(html: str) -> _FormReader:
    """Find the first form's action, hidden fields and button values."""
    reader = _FormReader()
    reader.feed(html)
    return reader


def s256(verifier: str) -> str:
    """The PKCE S256 challenge for a verifier."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def open_form(http: httpx.Client, **params: str) -> httpx.Response:
    """Open the hosted form as the partner's redirect would."""
    query = {
        "client_id": CLIENT_ID,
        "state": "state-123",
        "redirect_uri": REDIRECT_URI,
        "scope": "reward.read,order.create",
        **params,
    }
    return http.get(routes.OAUTH_FORM.path, params=query)


def sign_in(
    http: httpx.Client, page: httpx.Response, login: str = ALICE, password: str = PASSWORD
) -> httpx.Response:
    """Fill in and submit the sign-in form."""
    form = read_form(page.text)
    assert form.action
    return http.post(form.action, data={**form.fields, "login": login, "password": password})


def decide(http: httpx.Client, consent: httpx.Response, decision: str) -> httpx.Response:
    """Click Approve or Deny on the consent page."""
    form = read_form(consent.text)
    assert decision in form.buttons
    assert form.action
    return http.post(form.action, data={**form.fields, "decision": decision})


def authorize(http: httpx.Client, login: str = ALICE, **params: str) -> dict[str, str]:
    """Go through the whole form and return the redirect's query parameters."""
    page = open_form(http, **params)
    assert page.status_code == 200
    answer = decide(http, sign_in(http, page, login), "approve")
    assert answer.status_code == 302
    return redirect_params(answer)


def redirect_params(answer: httpx.Response) -> dict[str, str]:
    """The query parameters of a redirect back to the partner."""
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    return {k: v[0] for k, v in query.items()}


def password_form(
    login: str,
    scope: str,
    *,
    password: str = PASSWORD,
    client_id: str = CLIENT_ID,
    client_secret: str = CLIENT_SECRET,
) -> dict[str, str]:
    """The password grant's form for an account (one of this fixture's, unless told)."""
    return {
        "grant_type": "password",
        "username": login,
        "password": password,
        "scope": scope,
        "client_id": client_id,
        "client_secret": client_secret,
    }


def refresh_form(refresh_token: str) -> dict[str, str]:
    """The refresh grant's form, sent by the fixture's partner."""
    return {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }


def password_token(
    http: httpx.Client, login: str = ALICE, scope: str = "reward.read,order.create"
) -> dict[str, Any]:
    """Get tokens straight from the password grant."""
    answer = http.post(routes.TOKEN.path, data=password_form(login, scope))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def app_token(app: Any, scope: str, login: str = ALICE) -> dict[str, str]:
    """Bearer headers from the password grant of a sandbox app's test client (no HTTP)."""
    answer = app.test_client().post(routes.TOKEN.path, data=password_form(login, scope))
    return {"Authorization": f"Bearer {answer.get_json()['access_token']}"}


def allow_refresh(http: httpx.Client, enabled: bool = True) -> None:
    """Make the sandbox offer (or refuse) the refresh grant Pongo does not document."""
    answer = http.post("/_sandbox/refresh-grant", json={"enabled": enabled})
    assert answer.json() == {"enabled": enabled}


def valid_order(**changes: Any) -> dict[str, Any]:
    """An order body the sandbox accepts."""
    order: dict[str, Any] = {
        "order_id": "POS-1001",
        "loyalty_store_slug": "alice-paris",
        "amount": 1250,
        "tax_amount": 110,
        "created_at": "2026-11-27T09:30:00+01:00",
        "channel": "pos",
        "delivery_mode": "on_site",
        "status": "completed",
        "delivery_status": "delivered",
        "customer": {"phone": "33612345678", "has_optin": True},
        "lines": [{"external_id": "BAK-001", "quantity": 1, "amount": 350}],
        "reward_ids": [],
    }
    order.update(changes)
    return order


def bearer(token: dict[str, Any]) -> dict[str, str]:
    """The Authorization header for a token answer."""
    return {"Authorization": f"Bearer {token['access_token']}"}
