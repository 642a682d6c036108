"""The sandbox's in-memory world: fixture data, sign-ins, codes, tokens, orders and faults.

The fixture's format is in `portal.sandbox.fixture_checks`. Every method takes the one lock, so
the sandbox can serve requests from many threads.
"""

from __future__ import annotations

import copy
import hashlib
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from portal.sandbox import routes
from portal.sandbox.fixture_checks import JSONDict


@dataclass(frozen=True)
class Client:
    """A partner application registered with Pongo."""

    client_id: str
    client_secret: str
    name: str
    redirect_uris: tuple[str, ...]


@dataclass
class Account:
    """A Pongo merchant account: who signs in on the form, and its data."""

    login: str
    password: str
    name: str
    id: str
    email: str
    stores: list[JSONDict]
    rewards: list[JSONDict]


@dataclass
class PendingSignIn:
    """An open visit of the hosted form, between the first page and the decision."""

    request_id: str
    client: Client
    redirect_uri: str
    state: str | None
    scopes: tuple[str, ...]
    code_challenge: str | None
    code_challenge_method: str | None
    created_at: float
    login: str | None = None


@dataclass
class Grant:
    """What every code and token the sandbox issues holds: whose, for which client, what for."""

    login: str
    client_id: str
    scopes: tuple[str, ...]


@dataclass
class AuthorizationCode(Grant):
    """A code handed to the partner's redirect URI."""

    redirect_uri: str
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: float
    used: bool = False


class _SingleUse(Protocol):
    used: bool


U = TypeVar("U", bound=_SingleUse)


def _use_once(record: U | None, valid: Callable[[U], bool]) -> U | None:
    """Mark a single-use record used and return it; None when missing, used or not valid."""
    if record is None or record.used or not valid(record):
        return None
    record.used = True
    return record


@dataclass
class AccessToken(Grant):
    """What the sandbox remembers about an access token it issued."""

    expires_at: float
    revoked: bool = False


@dataclass
class RefreshToken(Grant):
    """A refresh token; it works once, then the rotated one takes over."""

    used: bool = False
    revoked: bool = False


@dataclass
class Fault:
    """A scripted misbehaviour for the next matching requests."""

    path: str
    method: str | None
    status: int | None
    delay_ms: int
    remaining: int
    headers: dict[str, str]
    body: Any
    hits: int = 0

    def as_json(self) -> JSONDict:
        """Describe the fault for the controls."""
        return {
            "path": self.path,
            "method": self.method,
            "status": self.status,
            "delay_ms": self.delay_ms,
            "remaining": self.remaining,
            "headers": self.headers,
            "hits": self.hits,
        }


def _account_id(login: str) -> str:
    return "acc_" + hashlib.sha256(login.encode()).hexdigest()[:10]


class SandboxState:
    """All mutable sandbox data behind one lock."""

    def __init__(self, fixture: JSONDict, clock: Callable[[], float]) -> None:
        self.fixture = fixture
        self.clock = clock
        self.lock = threading.RLock()
        self.signing_key = secrets.token_bytes(32)
        self.reset()

    def reset(self) -> None:
        """Forget everything that happened since the fixture was loaded."""
        data = copy.deepcopy(self.fixture)
        with self.lock:
            self.token_lifetime = int(data.get("token_lifetime", routes.DEFAULT_TOKEN_LIFETIME))
            # Pongo documents no refresh grant: off unless the fixture switches it on.
            self.refresh_grant = bool(data.get("refresh_grant", False))
            self.clients = {
                c["client_id"]: Client(
                    c["client_id"], c["client_secret"], c["name"], tuple(c["redirect_uris"])
                )
                for c in data.get("clients", [])
            }
            self.accounts = {
                a["login"]: Account(
                    login=a["login"],
                    password=a["password"],
                    name=a["name"],
                    id=str(a.get("id") or _account_id(a["login"])),
                    email=str(a.get("email") or a["login"]),
                    stores=a.get("stores", []),
                    rewards=a.get("rewards", []),
                )
                for a in data.get("accounts", [])
            }
            self.pending: dict[str, PendingSignIn] = {}
            self.codes: dict[str, AuthorizationCode] = {}
            self.access_tokens: dict[str, AccessToken] = {}
            self.refresh_tokens: dict[str, RefreshToken] = {}
            self.orders: dict[tuple[str, str, str], str] = {}
            # Pongo's id of each order → its account and the statuses it went through.
            self.order_owner: dict[str, str] = {}
            self.order_statuses: dict[str, list[str]] = {}
            self.status_log: list[JSONDict] = []
            self.idempotent: dict[tuple[str, str], tuple[int, JSONDict]] = {}
            self.order_log: list[JSONDict] = []
            self.request_log: list[JSONDict] = []
            self.faults: list[Fault] = []
            # Real Pongo documents only its order_id-per-store rule; tests can switch the
            # Idempotency-Key replay off to see what that rule alone does.
            self.honour_idempotency_key = True

    # Sign-in and codes

    def open_sign_in(self, pending: PendingSignIn) -> None:
        """Remember a visit of the hosted form."""
        with self.lock:
            self.pending[pending.request_id] = pending

    def find_sign_in(self, request_id: str) -> PendingSignIn | None:
        """Return a still-open visit of the hosted form."""
        with self.lock:
            pending = self.pending.get(request_id)
            if pending is None:
                return None
            if self.clock() - pending.created_at > routes.PENDING_SIGN_IN_LIFETIME:
                del self.pending[request_id]
                return None
            return pending

    def close_sign_in(self, request_id: str) -> None:
        """End a visit of the hosted form after the decision."""
        with self.lock:
            self.pending.pop(request_id, None)

    def check_password(self, login: str, password: str) -> Account | None:
        """Return the account when the credentials are right."""
        with self.lock:
            account = self.accounts.get(login)
            if account is None or not secrets.compare_digest(
                account.password.encode(), password.encode()
            ):
                return None
            return account

    def issue_code(self, pending: PendingSignIn) -> str:
        """Create a single-use authorization code for an approved sign-in."""
        assert pending.login is not None
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = AuthorizationCode(
                client_id=pending.client.client_id,
                redirect_uri=pending.redirect_uri,
                login=pending.login,
                scopes=pending.scopes,
                code_challenge=pending.code_challenge,
                code_challenge_method=pending.code_challenge_method,
                expires_at=self.clock() + routes.CODE_LIFETIME,
            )
        return code

    def redeem_code(self, code: str) -> AuthorizationCode | None:
        """Use a code once; a used or expired code is gone for good."""
        with self.lock:
            return _use_once(self.codes.get(code), lambda c: self.clock() < c.expires_at)

    # Tokens

    def store_tokens(
        self,
        jti: str,
        refresh_token: str | None,
        *,
        login: str,
        client_id: str,
        scopes: tuple[str, ...],
    ) -> float:
        """Remember a freshly issued token pair and return the access expiry."""
        with self.lock:
            expires_at = self.clock() + self.token_lifetime
            self.access_tokens[jti] = AccessToken(login, client_id, scopes, expires_at)
            if refresh_token is not None:
                self.refresh_tokens[refresh_token] = RefreshToken(login, client_id, scopes)
            return expires_at

    def rotate_refresh_token(self, token: str, client_id: str) -> RefreshToken | None:
        """Spend a refresh token; reuse, revocation or another client's token fail."""
        with self.lock:
            return _use_once(
                self.refresh_tokens.get(token), lambda t: not t.revoked and t.client_id == client_id
            )

    def live_access_token(self, jti: str) -> AccessToken | None:
        """Return the token's record when it is neither expired nor revoked."""
        with self.lock:
            record = self.access_tokens.get(jti)
            if record is None or record.revoked or self.clock() >= record.expires_at:
                return None
            if record.login not in self.accounts:
                return None
            return record

    def expire_tokens(self, login: str) -> int:
        """Make every access token of an account expire now."""
        with self.lock:
            now = self.clock()
            records = [t for t in self.access_tokens.values() if t.login == login]
            for record in records:
                record.expires_at = min(record.expires_at, now)
            return len(records)

    def revoke_tokens(self, login: str) -> int:
        """Revoke every access and refresh token of an account."""
        with self.lock:
            count = 0
            tokens: list[AccessToken | RefreshToken] = [
                *self.access_tokens.values(),
                *self.refresh_tokens.values(),
            ]
            for token in tokens:
                if token.login == login and not token.revoked:
                    token.revoked = True
                    count += 1
            return count

    # Orders

    def record_order(
        self,
        *,
        login: str,
        body: Any,
        status: int,
        response: JSONDict,
        idempotency_key: str | None,
        ignored: list[str],
    ) -> None:
        """Keep every order request with the answer it got, for the controls."""
        with self.lock:
            self.order_log.append(
                {
                    "account": login,
                    "body": body,
                    "status": status,
                    "response": response,
                    "idempotency_key": idempotency_key,
                    "ignored_fields": ignored,
                    "received_at": self.received_at(),
                }
            )

    def received_at(self) -> str:
        """The sandbox clock's now, as the logs write it."""
        return datetime.fromtimestamp(self.clock(), UTC).isoformat()

    # Faults and request log

    def add_fault(self, fault: Fault) -> None:
        """Script a fault for the next matching requests."""
        with self.lock:
            self.faults.append(fault)

    def clear_faults(self) -> int:
        """Drop every scripted fault; returns how many were still armed."""
        with self.lock:
            armed = sum(1 for fault in self.faults if fault.remaining > 0)
            self.faults = []
            return armed

    def take_fault(self, method: str, path: str) -> Fault | None:
        """Consume one use of the first fault matching this request."""
        with self.lock:
            for fault in self.faults:
                if fault.remaining <= 0 or fault.path != path:
                    continue
                if fault.method is not None and fault.method != method:
                    continue
                fault.remaining -= 1
                fault.hits += 1
                return fault
            return None

    def log_request(self, entry: JSONDict) -> None:
        """Note one API request (never its credentials)."""
        with self.lock:
            self.request_log.append(entry)
