"""Server-side sessions: the cookie holds only a random token, the data lives in the database."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Request, Response, g, session
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import Row, bindparam, select, update
from werkzeug.datastructures import CallbackDict

from portal import session_cookie
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.connection import PongoConnection
from portal.models.merchant import Merchant
from portal.models.session import WebSession
from portal.pongo.connection import keep_merchant_and_connection

# Writing last_seen on every request would turn each page view into a write; a minute is
# precise enough for an idle timeout counted in tens of minutes.
TOUCH_EVERY = timedelta(seconds=60)


# A session's row in plain columns, built once: this runs on every request that carries a cookie.
_OPEN = select(
    WebSession.data,
    WebSession.created_at,
    WebSession.last_seen_at,
    WebSession.revoked_at,
).where(WebSession.id == bindparam("id"))
# A page view (GET) also reads the session's merchant and its Pongo connection in the same
# statement: every merchant page shows both, and the merchant is the session's.
_OPEN_PAGE = (
    _OPEN.add_columns(Merchant, PongoConnection)
    .outerjoin(Merchant, Merchant.id == WebSession.merchant_id)
    .outerjoin(PongoConnection, PongoConnection.merchant_id == Merchant.id)
)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ServerSession(CallbackDict[str, Any], SessionMixin):
    """Session data plus what is needed to persist it: the cookie token and the row times."""

    def __init__(
        self,
        initial: dict[str, Any] | None = None,
        token: str | None = None,
        last_seen_at: datetime | None = None,
        created_at: datetime | None = None,
    ) -> None:
        def on_update(_: object) -> None:
            self.modified = True

        super().__init__(initial or {}, on_update)
        self.token = token
        self.last_seen_at = last_seen_at
        # When this browser signed in: kept through rotations, so the absolute limit holds.
        self.created_at = created_at
        self.rotate = False
        self.modified = False
        # Opened from a signed anonymous cookie rather than a server-side row.
        self.anonymous_cookie = False


class DatabaseSessionInterface(SessionInterface):
    """Keeps sessions in the `web_sessions` table with idle and absolute timeouts."""

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        """Load the session named by the cookie, or start an empty one if it is gone or stale."""
        token = request.cookies.get(self.get_cookie_name(app))
        if token and token.startswith(session_cookie.PREFIX):
            return self._open_anonymous(app, token)
        if not token or len(token) > 100:
            return ServerSession()
        page = request.method == "GET"
        row = db.session.execute(_OPEN_PAGE if page else _OPEN, {"id": _digest(token)}).first()
        if row is None or row.revoked_at is not None or self._expired(app, row):
            return ServerSession()
        if page and row.Merchant is not None:
            keep_merchant_and_connection(row.Merchant, row.PongoConnection)
        return ServerSession(
            dict(row.data), token=token, last_seen_at=row.last_seen_at, created_at=row.created_at
        )

    @staticmethod
    def _open_anonymous(app: Flask, value: str) -> ServerSession:
        opened = ServerSession(session_cookie.loads(app, value))
        opened.anonymous_cookie = True
        return opened

    @staticmethod
    def _expired(app: Flask, row: Row[Any]) -> bool:
        now = utcnow()
        idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
        absolute = timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"])
        return bool(now - row.last_seen_at > idle or now - row.created_at > absolute)

    def save_session(  # type: ignore[override]  # Flask types the session as SessionMixin
        self, app: Flask, session: ServerSession, response: Response
    ) -> None:
        """Persist changes, rotate the token when asked, and set or clear the cookie.

        The row read when the session opened is not read again: a page view that changes
        nothing writes nothing, and a change is written by the row's id.
        """
        name = self.get_cookie_name(app)
        now = utcnow()
        if session.token and (session.rotate or not session):
            self._update(session.token, revoked_at=now)
        if not session:
            if session.token or session.anonymous_cookie:
                response.delete_cookie(name, path="/", secure=self.get_cookie_secure(app))
            if session.token:
                db.session.commit()
            return
        if not session.token and not session.rotate and session_cookie.is_anonymous(session):
            if session.modified or not session.anonymous_cookie:
                self._set_cookie(app, response, session_cookie.dumps(app, dict(session)))
            response.vary.add("Cookie")
            return
        if session.rotate or not session.token:
            token = secrets.token_urlsafe(32)
            db.session.add(
                WebSession(
                    id=_digest(token),
                    data=dict(session),
                    merchant_id=session.get("merchant_id"),
                    created_at=session.created_at or now,
                    last_seen_at=now,
                )
            )
            self._set_cookie(app, response, token)
            db.session.commit()
        else:
            changes: dict[str, Any] = {}
            if session.modified:
                changes.update(data=dict(session), merchant_id=session.get("merchant_id"))
            if session.last_seen_at is None or now - session.last_seen_at > TOUCH_EVERY:
                changes["last_seen_at"] = now
            if changes:
                self._update(session.token, **changes)
                db.session.commit()
        response.vary.add("Cookie")

    def _set_cookie(self, app: Flask, response: Response, value: str) -> None:
        response.set_cookie(
            self.get_cookie_name(app),
            value,
            httponly=True,
            secure=self.get_cookie_secure(app),
            samesite="Lax",
            path="/",
        )

    @staticmethod
    def _update(token: str, **values: Any) -> None:
        db.session.execute(
            update(WebSession).where(WebSession.id == _digest(token)).values(**values)
        )


def begin_session(**data: Any) -> None:
    """Sign in: replace whatever session this browser had with a fresh one holding `data`."""
    rotate_session(**data)
    assert isinstance(session, ServerSession)
    session.created_at = None


def rotate_session(**data: Any) -> None:
    """Same sign-in, new session id holding `data`; the absolute limit still counts from sign-in."""
    assert isinstance(session, ServerSession)
    session.clear()
    session.update(data)
    session.rotate = True
    # Flask-WTF keeps this request's CSRF token in `g`: forget it, so that a page rendered
    # after the rotation carries a token of the new session.
    g.pop("csrf_token", None)


def extend_session() -> None:
    """Count this request as activity: the idle limit starts again from now."""
    assert isinstance(session, ServerSession)
    session.last_seen_at = None  # save_session then writes last_seen_at


def end_session() -> None:
    """Revoke this browser's session on the server and clear its cookie."""
    session.clear()


def revoke_merchant_sessions(merchant_id: int) -> None:
    """Revoke every open session of a merchant (flushes, does not commit)."""
    db.session.execute(
        db.update(WebSession)
        .where(WebSession.merchant_id == merchant_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
