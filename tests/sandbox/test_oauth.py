"""The hosted OAuth form and the token endpoint follow Pongo's rules."""

from __future__ import annotations

import httpx
import pytest

from portal.sandbox import DEMO_FIXTURE, create_sandbox_app, routes
from portal.sandbox.server import start_sandbox
from tests.helpers.shop import (
    ALICE,
    CLIENT_ID,
    CLIENT_SECRET,
    FIXTURE,
    REDIRECT_URI,
    allow_refresh,
    authorize,
    decide,
    open_form,
    password_token,
    redirect_params,
    refresh_form,
    s256,
    sign_in,
)


def exchange(http: httpx.Client, code: str, **extra: str) -> httpx.Response:
    return http.post(
        routes.TOKEN.path,
        data={
            "grant_type": "client_credentials",
            "code": code,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            **extra,
        },
    )


def test_unknown_client_gets_an_error_page_not_a_redirect(http: httpx.Client) -> None:
    answer = open_form(http, client_id="nobody")
    assert answer.status_code == 400
    assert "location" not in answer.headers
    assert "unknown client_id" in answer.text


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example/pongo/callback",
        REDIRECT_URI + "/extra",
        REDIRECT_URI + "?next=https://evil.example",
        "https://other.example/callback",
    ],
)
def test_redirect_uri_off_the_whitelist_never_redirects(
    http: httpx.Client, redirect_uri: str
) -> None:
    answer = open_form(http, redirect_uri=redirect_uri)
    assert answer.status_code == 400
    assert "location" not in answer.headers
    assert "not registered" in answer.text


def test_wrong_password_shows_the_form_again_with_an_error(http: httpx.Client) -> None:
    page = open_form(http)
    answer = sign_in(http, page, password="wrong")
    assert answer.status_code == 200
    assert "Wrong e-mail or password." in answer.text
    assert 'id="password"' in answer.text
    assert "Approve" not in answer.text


def test_consent_page_names_the_partner_and_lists_scopes(http: httpx.Client) -> None:
    consent = sign_in(http, open_form(http, scope="reward.read, order.create"))
    assert "Shop POS" in consent.text
    assert "<code>reward.read</code>" in consent.text
    assert "<code>order.create</code>" in consent.text
    assert ">Approve<" in consent.text
    assert ">Deny<" in consent.text


def test_approval_redirects_with_a_code_and_the_same_state(http: httpx.Client) -> None:
    params = authorize(http, state="opaque-state-value")
    assert params["state"] == "opaque-state-value"
    assert len(params["code"]) > 20


def test_denial_redirects_with_access_denied(http: httpx.Client) -> None:
    consent = sign_in(http, open_form(http, state="s-9"))
    answer = decide(http, consent, "deny")
    assert answer.status_code == 302
    assert answer.headers["location"].startswith(REDIRECT_URI + "?")
    assert redirect_params(answer) == {"error": "access_denied", "state": "s-9"}


def test_unknown_scope_is_reported_back_to_the_partner(http: httpx.Client) -> None:
    answer = open_form(http, scope="reward.read,store.delete")
    assert answer.status_code == 302
    assert redirect_params(answer)["error"] == "invalid_scope"


def test_documented_code_exchange_returns_bearer_tokens(http: httpx.Client) -> None:
    code = authorize(http)["code"]
    answer = exchange(http, code)
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["access_token"].count(".") == 2
    assert body["expires_in"] == 600
    # Pongo documents no refresh grant, so by default no refresh token is handed out.
    assert "refresh_token" not in body
    assert body["scope"] == "reward.read,order.create"


def test_switched_on_refresh_grant_hands_out_refresh_tokens(http: httpx.Client) -> None:
    allow_refresh(http)
    answer = exchange(http, authorize(http)["code"])
    assert answer.json()["refresh_token"]


def test_undocumented_authorization_code_grant_is_refused(http: httpx.Client) -> None:
    """Pongo documents client_credentials + code; the standard grant name is refused."""
    code = authorize(http)["code"]
    answer = http.post(
        routes.TOKEN.path,
        json={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "unsupported_grant_type"
    # The code was not spent by the refused request: the documented exchange still works.
    assert exchange(http, code).status_code == 200


def test_client_may_authenticate_with_http_basic(http: httpx.Client) -> None:
    code = authorize(http)["code"]
    answer = http.post(
        routes.TOKEN.path,
        data={"grant_type": "client_credentials", "code": code},
        auth=(CLIENT_ID, CLIENT_SECRET),
    )
    assert answer.status_code == 200


def test_wrong_client_secret_is_invalid_client(http: httpx.Client) -> None:
    code = authorize(http)["code"]
    answer = exchange(http, code, client_secret="nope")
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_reused_code_is_refused(http: httpx.Client) -> None:
    code = authorize(http)["code"]
    assert exchange(http, code).status_code == 200
    again = exchange(http, code)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_code_bound_to_another_redirect_uri_is_refused(http: httpx.Client) -> None:
    code = authorize(http)["code"]
    answer = exchange(http, code, redirect_uri="http://127.0.0.1:5000/connect/callback")
    assert answer.json()["error"] == "invalid_grant"


def test_code_expires_after_sixty_seconds() -> None:
    now = [1_000_000.0]
    with (
        start_sandbox(FIXTURE, clock=lambda: now[0]) as sandbox,
        httpx.Client(base_url=sandbox.url) as http,
    ):
        fresh, stale = authorize(http)["code"], authorize(http)["code"]
        now[0] += 59
        assert exchange(http, fresh).status_code == 200
        now[0] += 2
        answer = exchange(http, stale)
        assert answer.status_code == 400
        assert answer.json()["error"] == "invalid_grant"


def test_pkce_code_needs_the_matching_verifier(http: httpx.Client) -> None:
    verifier = "v" * 50
    params = {"code_challenge": s256(verifier), "code_challenge_method": "S256"}
    code = authorize(http, **params)["code"]
    wrong = exchange(http, code, code_verifier="w" * 50)
    assert wrong.json()["error"] == "invalid_grant"
    code = authorize(http, **params)["code"]
    missing = exchange(http, code)
    assert missing.json()["error"] == "invalid_grant"
    code = authorize(http, **params)["code"]
    assert exchange(http, code, code_verifier=verifier).status_code == 200


def test_refresh_grant_is_refused_by_default(http: httpx.Client) -> None:
    allow_refresh(http)
    first = password_token(http)
    allow_refresh(http, enabled=False)
    answer = http.post(routes.TOKEN.path, data=refresh_form(first["refresh_token"]))
    assert answer.status_code == 400
    assert answer.json()["error"] == "unsupported_grant_type"


def test_refresh_token_rotates_and_the_old_one_dies(http: httpx.Client) -> None:
    allow_refresh(http)
    first = password_token(http)
    second = http.post(routes.TOKEN.path, data=refresh_form(first["refresh_token"]))
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    assert second.json()["scope"] == "reward.read,order.create"
    replay = http.post(routes.TOKEN.path, data=refresh_form(first["refresh_token"]))
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    newest = http.post(routes.TOKEN.path, json=refresh_form(second.json()["refresh_token"]))
    assert newest.status_code == 200


def test_password_grant_with_a_wrong_password_is_invalid_grant(http: httpx.Client) -> None:
    answer = http.post(
        routes.TOKEN.path,
        data={
            "grant_type": "password",
            "username": ALICE,
            "password": "nope",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_unknown_grant_type_is_unsupported(http: httpx.Client) -> None:
    answer = http.post(
        routes.TOKEN.path,
        data={"grant_type": "magic", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
    )
    assert answer.json()["error"] == "unsupported_grant_type"


def test_code_exchange_without_a_code_is_invalid_request(http: httpx.Client) -> None:
    answer = exchange(http, "")
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


def test_demo_fixture_loads_with_the_portal_client_and_two_merchants() -> None:
    app = create_sandbox_app(DEMO_FIXTURE)
    state = app.extensions["pongo_sandbox"]
    assert "http://127.0.0.1:5000/connect/callback" in state.clients["portal-demo"].redirect_uris
    assert "pos-dev" in state.clients
    lumiere = state.accounts["demo@boulangerie-lumiere.fr"]
    assert len(lumiere.stores) == 6
    assert len(lumiere.rewards) >= 15
    assert "demo@nonna.example" in state.accounts
