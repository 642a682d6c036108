"""Pongo's hosted OAuth form and token endpoint, as the sandbox emulates them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import Response, current_app, jsonify, redirect, render_template, request

from portal.sandbox import routes
from portal.sandbox.state import Account, PendingSignIn, SandboxState


def sandbox_state() -> SandboxState:
    """Return the state of the sandbox serving this request."""
    state: SandboxState = current_app.extensions["pongo_sandbox"]
    return state


def parse_scopes(raw: str | None) -> tuple[str, ...]:
    """Split a scope parameter, keeping order and dropping repeats."""
    seen: dict[str, None] = {}
    for scope in routes.SCOPE_SEPARATOR.split(raw or ""):
        if scope:
            seen.setdefault(scope, None)
    return tuple(seen)


def with_query(url: str, params: dict[str, str | None]) -> str:
    """Add query parameters to a redirect URI that may already have some."""
    parts = urlsplit(url)
    extra = urlencode({k: v for k, v in params.items() if v is not None})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _error_page(message: str, status: int = 400) -> tuple[str, int]:
    return render_template("error.html", message=message), status


def oauth_form() -> Any:
    """First page of the hosted form: check the partner, then ask the merchant to sign in."""
    state = sandbox_state()
    args = request.args
    client = state.clients.get(args.get("client_id", ""))
    if client is None:
        return _error_page("This application is not known to Pongo (unknown client_id).")
    redirect_uri = args.get("redirect_uri", "")
    if redirect_uri not in client.redirect_uris:
        return _error_page(
            "This redirect address is not registered for this application, "
            "so Pongo will not send you back to it."
        )
    scopes = parse_scopes(args.get("scope"))
    unknown = [s for s in scopes if s not in routes.KNOWN_SCOPES]
    if unknown:
        return redirect(
            with_query(
                redirect_uri,
                {
                    "error": "invalid_scope",
                    "error_description": "Unknown scope: " + ", ".join(unknown),
                    "state": args.get("state"),
                },
            )
        )
    challenge = args.get("code_challenge") or None
    method = (args.get("code_challenge_method") or "plain") if challenge else None
    if method not in (None, "S256", "plain"):
        return redirect(
            with_query(
                redirect_uri,
                {
                    "error": "invalid_request",
                    "error_description": "Unsupported code_challenge_method.",
                    "state": args.get("state"),
                },
            )
        )
    pending = PendingSignIn(
        request_id=secrets.token_urlsafe(24),
        client=client,
        redirect_uri=redirect_uri,
        state=args.get("state"),
        scopes=scopes,
        code_challenge=challenge,
        code_challenge_method=method,
        created_at=state.clock(),
    )
    state.open_sign_in(pending)
    return render_template("sign_in.html", pending=pending, error=None, login="")


def oauth_sign_in() -> Any:
    """Check the merchant's Pongo credentials, then show the consent page."""
    state = sandbox_state()
    pending = state.find_sign_in(request.form.get("request", ""))
    if pending is None:
        return _error_page("This sign-in page has expired. Start again from your software.")
    login = request.form.get("login", "").strip()
    account = state.check_password(login, request.form.get("password", ""))
    if account is None:
        page = render_template(
            "sign_in.html", pending=pending, error="Wrong e-mail or password.", login=login
        )
        return page, 200
    with state.lock:
        pending.login = account.login
    return render_template("consent.html", pending=pending, account=account)


def oauth_decision() -> Any:
    """Send the merchant back to the partner with a code, or with access_denied."""
    state = sandbox_state()
    pending = state.find_sign_in(request.form.get("request", ""))
    if pending is None or pending.login is None:
        return _error_page("This sign-in page has expired. Start again from your software.")
    state.close_sign_in(pending.request_id)
    if request.form.get("decision") != "approve":
        params: dict[str, str | None] = {"error": "access_denied", "state": pending.state}
        return redirect(with_query(pending.redirect_uri, params))
    code = state.issue_code(pending)
    return redirect(with_query(pending.redirect_uri, {"code": code, "state": pending.state}))


# Token endpoint


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_jwt(key: bytes, claims: dict[str, Any]) -> str:
    """Build a compact HS256 JWT, the shape Pongo says its access tokens have."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def jwt_id(key: bytes, token: str) -> str | None:
    """Return the token id of a JWT this sandbox signed, or None."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    expected = hmac.new(key, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(expected, _unb64(parts[2])):
            return None
        claims = json.loads(_unb64(parts[1]))
    except ValueError:
        return None
    jti = claims.get("jti") if isinstance(claims, dict) else None
    return jti if isinstance(jti, str) else None


def _oauth_error(error: str, description: str, status: int = 400) -> tuple[Response, int]:
    response = jsonify({"error": error, "error_description": description})
    if error == "invalid_client":
        response.headers["WWW-Authenticate"] = 'Basic realm="pongo-sandbox"'
    return response, status


def _token_params() -> dict[str, str]:
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return {}
        return {k: str(v) for k, v in body.items() if isinstance(v, str | int)}
    return dict(request.form.items())


def _issue(state: SandboxState, account: Account, client_id: str, scopes: tuple[str, ...]) -> Any:
    jti = secrets.token_urlsafe(16)
    # A refresh token only where a refresh grant exists to spend it.
    refresh_token = secrets.token_urlsafe(32) if state.refresh_grant else None
    now = int(state.clock())
    expires_at = state.store_tokens(
        jti, refresh_token, login=account.login, client_id=client_id, scopes=scopes
    )
    claims = {
        "iss": current_app.config["SANDBOX_ISSUER"] or request.host_url.rstrip("/"),
        "sub": account.id,
        "aud": client_id,
        "iat": now,
        "exp": int(expires_at),
        "jti": jti,
        "scopes": list(scopes),
    }
    answer = {
        "token_type": "Bearer",
        "access_token": sign_jwt(state.signing_key, claims),
        "expires_in": state.token_lifetime,
        "scope": routes.SCOPE_JOINER.join(scopes),
    }
    if refresh_token is not None:
        answer["refresh_token"] = refresh_token
    response = jsonify(answer)
    response.headers["Cache-Control"] = "no-store"
    return response


def _verifier_matches(challenge: str, method: str | None, verifier: str) -> bool:
    if method == "S256":
        computed = _b64(hashlib.sha256(verifier.encode("ascii", "replace")).digest())
        return hmac.compare_digest(computed, challenge)
    return hmac.compare_digest(verifier, challenge)


def token() -> Any:
    """Exchange a code or a password (or, when switched on, a refresh token) for tokens."""
    state = sandbox_state()
    params = _token_params()
    client_id, client_secret = params.get("client_id", ""), params.get("client_secret", "")
    if request.authorization and request.authorization.type == "basic":
        client_id = request.authorization.username or ""
        client_secret = request.authorization.password or ""
    client = state.clients.get(client_id)
    if client is None or not secrets.compare_digest(
        client.client_secret.encode(), client_secret.encode()
    ):
        return _oauth_error("invalid_client", "Client authentication failed.", 401)

    grant_type = params.get("grant_type", "")
    if grant_type == routes.GRANT_CODE_DOCUMENTED:
        code = params.get("code")
        if not code:
            return _oauth_error("invalid_request", "The code parameter is required.")
        record = state.redeem_code(code)
        if record is None or record.client_id != client.client_id:
            return _oauth_error("invalid_grant", "The authorization code is invalid or expired.")
        if "redirect_uri" in params and params["redirect_uri"] != record.redirect_uri:
            return _oauth_error("invalid_grant", "The redirect_uri does not match.")
        if record.code_challenge is not None:
            verifier = params.get("code_verifier", "")
            if not verifier or not _verifier_matches(
                record.code_challenge, record.code_challenge_method, verifier
            ):
                return _oauth_error("invalid_grant", "The code_verifier does not match.")
        return _issue(state, state.accounts[record.login], client.client_id, record.scopes)

    if grant_type == routes.GRANT_REFRESH and state.refresh_grant:
        refresh = params.get("refresh_token")
        if not refresh:
            return _oauth_error("invalid_request", "The refresh_token parameter is required.")
        rotated = state.rotate_refresh_token(refresh, client.client_id)
        if rotated is None or rotated.login not in state.accounts:
            return _oauth_error("invalid_grant", "The refresh token is invalid.")
        return _issue(state, state.accounts[rotated.login], client.client_id, rotated.scopes)

    if grant_type == routes.GRANT_PASSWORD:
        login = next((params[f] for f in routes.PASSWORD_GRANT_LOGIN_FIELDS if f in params), "")
        account = state.check_password(login, params.get("password", ""))
        if account is None:
            return _oauth_error("invalid_grant", "The user credentials were incorrect.")
        scopes = parse_scopes(params.get("scope"))
        unknown = [s for s in scopes if s not in routes.KNOWN_SCOPES]
        if unknown:
            return _oauth_error("invalid_scope", "Unknown scope: " + ", ".join(unknown))
        return _issue(state, account, client.client_id, scopes)

    return _oauth_error("unsupported_grant_type", "This grant type is not supported.")
