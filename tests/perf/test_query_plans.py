"""Statements that read a large table find their rows through the index made for them.

A fresh test database is empty, so each database is told to avoid what it would rightly
do on an empty table (read it all, sort it): the plan then shows whether an index can
answer at all, as it must at 50,000 products and 10,000 orders (`make bench` times them).
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import text

from portal.extensions import db
from portal.models.merchant import Merchant
from portal.overview.services import anonymous_order_locations
from portal.products.services import Filters, filter_conditions, listing


def plan_of(app: Flask, statement: object, *, postgresql: bool = True) -> str:
    """The database's plan for `statement`, with whole-table reads and sorts a last resort."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql" and not postgresql:
            pytest.skip("PostgreSQL chooses between equal indexes from statistics of real rows")
        sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))  # type: ignore[attr-defined]
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SET enable_seqscan = off"))
                connection.execute(text("SET enable_sort = off"))
                rows = connection.execute(text(f"EXPLAIN {sql}")).all()
            else:
                rows = connection.execute(text(f"EXPLAIN QUERY PLAN {sql}")).all()
    return "\n".join(str(row[-1]) for row in rows)


def test_the_products_page_reads_a_page_in_order_from_an_index(app: Flask) -> None:
    conditions = filter_conditions(Merchant(id=1), Filters(), used_skus=[])
    plan = plan_of(app, listing(conditions).limit(50).offset(500))
    assert "ix_products_active_search" in plan, plan
    assert "Sort" not in plan, plan
    assert "TEMP B-TREE" not in plan, plan


def test_the_tablet_check_reads_only_orders_nobody_identified_on(app: Flask) -> None:
    plan = plan_of(app, anonymous_order_locations(1), postgresql=False)
    assert "ix_orders_without_customer" in plan, plan
