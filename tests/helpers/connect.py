"""Connecting a merchant to Pongo through the sandbox's real OAuth form."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
from flask.testing import FlaskClient

from tests.helpers.launch import launch
from tests.helpers.pages import csrf_token
from tests.helpers.sandbox import DEMO_LOGIN, DEMO_PASSWORD
from tests.helpers.shop import read_form


def start_connect(client: FlaskClient) -> str:
    """Press "Connect Pongo"; returns the URL of Pongo's consent form."""
    response = client.post("/connect/start", data={"csrf_token": csrf_token(client, "/connect/")})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def consent(
    http: httpx.Client,
    form_url: str,
    *,
    decision: str = "approve",
    login: str = DEMO_LOGIN,
    password: str = DEMO_PASSWORD,
) -> str:
    """Sign in on Pongo's form and decide; returns the redirect back to the portal."""
    page = http.get(form_url)
    assert page.status_code == 200, page.text
    form = read_form(page.text)
    assert form.action
    consent_page = http.post(
        form.action, data={**form.fields, "login": login, "password": password}
    )
    form = read_form(consent_page.text)
    assert form.action
    answer = http.post(form.action, data={**form.fields, "decision": decision})
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def connect_merchant(client: FlaskClient, http: httpx.Client, **launch_claims: Any) -> Any:
    """Launch as a merchant and connect Pongo through the sandbox's real OAuth form."""
    launch(client, **launch_claims)
    back = consent(http, start_connect(client))
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}")
