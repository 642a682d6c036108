"""The audit log stays append-only: only the purge, the erasure and the pseudonymisation pass."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from portal.extensions import db
from portal.models.audit import AuditEvent, AuditPermit
from portal.models.base import utcnow
from portal.models.merchant import Merchant
from portal.privacy.permits import Permit, audit_permit
from tests.privacy.conftest import migrated_app


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Flask:
    """A migrated portal with two merchants, a recent and an old audit event for each."""
    app = migrated_app(database_url)
    with app.app_context():
        for ref in ("M1", "M2"):
            merchant = Merchant(ref=ref, name=f"Shop {ref}")
            db.session.add(merchant)
            db.session.flush()
            for age in (1, 500):
                db.session.add(
                    AuditEvent(
                        at=utcnow() - timedelta(days=age),
                        merchant_id=merchant.id,
                        actor="owner@example.com",
                        actor_kind="merchant_user",
                        action="launch",
                        details={"user": "owner@example.com"},
                    )
                )
        db.session.commit()
    return app


def refused(app: Flask, statement: object, permit: tuple[Permit, dict[str, object]] | None) -> bool:
    """Whether the database refuses the statement (run under the permit, if one)."""
    message = ""
    with app.app_context():
        try:
            if permit is None:
                db.session.execute(statement)  # type: ignore[call-overload]
            else:
                with audit_permit(permit[0], **permit[1]):  # type: ignore[arg-type]
                    db.session.execute(statement)  # type: ignore[call-overload]
            db.session.commit()
        except DBAPIError as error:
            db.session.rollback()
            message = str(error)
    # Refused by the audit trigger, not by anything else.
    assert not message or "append-only" in message, message
    return bool(message)


def merchant_id(app: Flask, ref: str) -> int:
    with app.app_context():
        found = db.session.scalar(select(Merchant.id).where(Merchant.ref == ref))
        assert found is not None
        return found


def test_nothing_changes_or_deletes_an_audit_row_without_a_permit(app: Flask) -> None:
    assert refused(app, update(AuditEvent).values(reason="edited"), None)
    assert refused(app, delete(AuditEvent), None)


def test_the_purge_deletes_only_rows_older_than_its_cutoff(app: Flask) -> None:
    cutoff = utcnow() - timedelta(days=400)
    assert refused(app, delete(AuditEvent), (Permit.PURGE, {"before": cutoff}))
    assert not refused(
        app, delete(AuditEvent).where(AuditEvent.at < cutoff), (Permit.PURGE, {"before": cutoff})
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 2
        # The permit is gone with the transaction: nothing else may be deleted afterwards.
        assert db.session.scalar(select(func.count()).select_from(AuditPermit)) == 0
    assert refused(app, delete(AuditEvent), None)


def test_the_erasure_rewrites_details_and_reason_but_nothing_else(app: Flask) -> None:
    erase = (Permit.ERASE, {})
    assert not refused(app, update(AuditEvent).values(details={}, reason="[erased]"), erase)
    assert refused(app, update(AuditEvent).values(actor="someone-else"), erase)
    assert refused(app, update(AuditEvent).values(action="order.retry"), erase)
    assert refused(app, update(AuditEvent).values(at=utcnow()), erase)
    assert refused(app, delete(AuditEvent), erase)


def test_the_pseudonymisation_touches_only_its_merchants_rows(app: Flask) -> None:
    m1, m2 = merchant_id(app, "M1"), merchant_id(app, "M2")
    permit = (Permit.PSEUDONYMISE, {"merchant_id": m1})
    own = AuditEvent.merchant_id == m1
    assert not refused(
        app, update(AuditEvent).where(own).values(actor="person-1", merchant_id=None), permit
    )
    assert refused(
        app, update(AuditEvent).where(AuditEvent.merchant_id == m2).values(actor="x"), permit
    )
    assert refused(
        app,
        update(AuditEvent).where(AuditEvent.merchant_id == m2).values(merchant_id=m1),
        (Permit.PSEUDONYMISE, {"merchant_id": m2}),
    )
    assert refused(app, delete(AuditEvent).where(AuditEvent.merchant_id == m2), permit)


def test_truncating_the_audit_log_is_refused(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has no TRUNCATE")
    assert refused(app, text("TRUNCATE audit_events CASCADE"), (Permit.PURGE, {"before": utcnow()}))
