"""The Products page in a support agent's read-only view: everything works, nothing is written."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from portal.support.guard import PERMITTED_WHILE_VIEWING
from tests.helpers.api import Api, new_key
from tests.helpers.rewards import PRODUCTS
from tests.helpers.staff import events, start_view
from tests.products.conftest import composed, row_refs


def test_read_only_view_searches_and_composes_without_writing(
    staffed: Flask, agent: FlaskClient
) -> None:
    api = Api(staffed.test_client(), new_key(staffed))
    assert api.put("/merchants/M1/products", {"products": PRODUCTS}).status_code == 200
    assert start_view(agent).status_code == 302
    writes_before = [e.action for e in events(staffed) if e.action != "support.page_view"]

    page = agent.get("/products", query_string={"q": "pain", "sel": "BAK-001"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert row_refs(html) == ["BAK-002", "BAK-003"]
    assert composed(html) == "BAK-001"
    ticked = agent.get(
        "/products", query_string={"sel": "BAK-001", "shown": "BAK-002", "tick": "BAK-002"}
    )
    assert composed(ticked.get_data(as_text=True)) == "BAK-001,BAK-002"
    assert agent.get("/products/export.csv").status_code == 200
    # The only forms that post are the support banner's and the language switch.
    actions = set(re.findall(r'<form method="post" action="([^"]+)"', html))
    assert actions <= {"/support/view/end", "/language"}, actions
    assert not any(endpoint.startswith("products.") for endpoint in PERMITTED_WHILE_VIEWING)
    refused = agent.post("/products", data={"sel": "BAK-001"})
    assert refused.status_code in (403, 405)

    writes_after = [e.action for e in events(staffed) if e.action != "support.page_view"]
    assert writes_after == writes_before
    viewed = [e.details["path"] for e in events(staffed, "support.page_view")]
    assert "/products" in viewed
