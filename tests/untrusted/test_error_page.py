"""After a database error the error page still renders in the layout."""

from __future__ import annotations

from sqlalchemy import text

from portal.extensions import db
from tests.untrusted.conftest import Served, Visitor


def test_the_error_page_survives_a_failed_transaction(visitor: Visitor, served: Served) -> None:
    assert visitor.launch().status_code == 302
    assert visitor.get("/rewards").status_code == 200
    with served.app.app_context():
        db.session.execute(text("DROP TABLE reward_syncs"))
        db.session.commit()
    page = visitor.get("/rewards")
    assert page.status_code == 500
    assert "Something went wrong" in page.text
    assert "<nav" in page.text  # the layout, whose banners query the database, rendered
