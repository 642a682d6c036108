"""Property-based checks of the POS API against its own OpenAPI document."""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.helpers.api import new_key

SCHEMA_EXAMPLES = 20


@pytest.fixture
def bearer(app: Flask) -> dict[str, str]:
    """A live key, and a rate limit the generated calls cannot reach."""
    app.config["API_RATE_LIMIT"] = "100000/minute"
    return {"Authorization": f"Bearer {new_key(app)}"}


def test_api_never_answers_a_server_error(app: Flask, bearer: dict[str, str]) -> None:
    """Every documented operation, fed generated bodies and paths, answers below 500."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # NUL and other control characters in every generated string: PostgreSQL refuses NUL,
    # so they must be refused with a 4xx before reaching the database. Negative cases too.
    schema.config.generation.update(allow_x00=True, codec=None, modes=["positive", "negative"])
    # Merchant M1 exists and the merchant's own operations use it, so that generated bodies
    # reach validation and the writes; unknown merchants are covered by the PUT that creates.
    app.test_client().put("/api/v1/merchants/M1", json={"name": "M1"}, headers=bearer)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 4
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=SCHEMA_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            if "ref" in (case.path_parameters or {}) and case.path_parameters["ref"].startswith(
                "M"
            ):
                case.path_parameters["ref"] = "M1"
            case.call_and_validate(headers=bearer, checks=[not_a_server_error])

        check()


def test_document_lists_every_api_route(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").json
    documented = {
        (re.sub(r"\{(\w+)\}", r"<\1>", f"/api/v1{path}"), method.upper())
        for path, methods in document["paths"].items()
        for method in methods
    }
    routed = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi_document"
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert routed <= documented
    schemas = document["components"]["schemas"]
    assert schemas["LocationIn"]["required"] == ["ref", "name"]
