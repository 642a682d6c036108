"""Statements that read a large table find their rows through the index made for them.

Checked on SQLite, which plans without statistics: PostgreSQL plans an empty table from its
statistics, so its plan there says nothing of a merchant with 10,000 orders (`make bench`).
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import text

from portal.extensions import db
from portal.overview.services import anonymous_order_locations


def plan_of(app: Flask, statement: object) -> str:
    """SQLite's plan for `statement`."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL plans from statistics an empty table does not have")
        sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))  # type: ignore[attr-defined]
        with engine.connect() as connection:
            rows = connection.execute(text(f"EXPLAIN QUERY PLAN {sql}")).all()
    return "\n".join(str(row[-1]) for row in rows)


def test_the_tablet_check_reads_only_orders_nobody_identified_on(app: Flask) -> None:
    plan = plan_of(app, anonymous_order_locations(1))
    assert "ix_orders_without_customer" in plan, plan
