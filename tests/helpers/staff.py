"""Staff accounts, signing in at /support and starting a view as a merchant."""

from __future__ import annotations

import functools
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models.audit import AuditEvent
from portal.models.connection import PongoConnection
from portal.models.merchant import Merchant
from portal.models.staff import Staff
from portal.support import accounts
from tests.helpers.pages import csrf_token

PASSWORD = "correct horse battery staple"
AGENT = "alex@pos.example"
ADMIN = "sam@pos.example"


@functools.cache
def _password_hash(password: str) -> str:
    """A real scrypt hash, computed once per password for the whole run (each costs ~0.2 s)."""
    return accounts.hash_password(password)


def add_staff(app: Flask, email: str, role: str = "support", password: str = PASSWORD) -> int:
    """Create a staff account directly in the database."""
    with app.app_context():
        staff = Staff(email=email, role=role, password_hash=_password_hash(password))
        db.session.add(staff)
        db.session.commit()
        return staff.id


def add_merchant(app: Flask, ref: str, name: str, **connection: Any) -> int:
    """Create a merchant, with a Pongo connection row when `status` is given."""
    with app.app_context():
        merchant = Merchant(ref=ref, name=name)
        db.session.add(merchant)
        db.session.flush()
        if connection:
            db.session.add(PongoConnection(merchant_id=merchant.id, **connection))
        db.session.commit()
        return merchant.id


def session_cookie(client: FlaskClient) -> str | None:
    """The session token cookie the browser holds."""
    cookie = client.get_cookie("portal_session")
    return cookie.value if cookie else None


def sign_in(client: FlaskClient, email: str = AGENT, password: str = PASSWORD) -> Any:
    """Sign in at /support/login the way a browser does."""
    token = csrf_token(client, "/support/login")
    return client.post(
        "/support/login", data={"email": email, "password": password, "csrf_token": token}
    )


def start_view(client: FlaskClient, ref: str = "M1", reason: str = "Ticket 4521: rewards") -> Any:
    """Start viewing a merchant's portal from its support page."""
    token = csrf_token(client, f"/support/merchants/{ref}")
    return client.post(
        f"/support/merchants/{ref}/view", data={"reason": reason, "csrf_token": token}
    )


def events(app: Flask, action: str | None = None) -> list[AuditEvent]:
    """Audit events, oldest first, optionally of one action."""
    with app.app_context():
        query = db.select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        found = list(db.session.scalars(query))
        db.session.expunge_all()
        return found
