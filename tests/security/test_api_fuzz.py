"""SEC-35: the POS API answers below 500 to generated input, control characters included."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.helpers.api import Api, new_key
from tests.helpers.orders import order_body

EXAMPLES = 60
NASTY = [
    "\x00",
    "a\x00b",
    "\x01\x08\x1b[31m\x7f",
    "line\r\nbreak",
    "\u2028\u2029",
    "\ufeff",
    "\ud800",
]


def _with_ref(case: Any) -> None:
    if "ref" in (case.path_parameters or {}) and str(case.path_parameters["ref"]).startswith("M"):
        case.path_parameters["ref"] = "M1"


def test_generated_calls_with_control_characters_never_fail(app: Flask) -> None:
    """Schemathesis over every documented operation, positive and negative, NUL allowed."""
    app.config["API_RATE_LIMIT"] = "100000/minute"
    bearer = {"Authorization": f"Bearer {new_key(app)}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.config.generation.update(
        modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE],
        allow_x00=True,
        codec="utf-8",
        max_examples=EXAMPLES,
    )
    app.test_client().put("/api/v1/merchants/M1", json={"name": "M1"}, headers=bearer)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            _with_ref(case)
            case.call_and_validate(headers=bearer, checks=[not_a_server_error])

        check()


def _bodies(text: str) -> list[tuple[str, str, Any]]:
    """(method, path, body) of every write, with `text` in each string field a person reads."""
    in_path = [
        ("PUT", f"/merchants/{text}", {"name": "Boulangerie"}),
        ("GET", f"/merchants/M1/orders/{text}", None),
    ]
    # A lone surrogate cannot be sent in a URL at all; in JSON it arrives as an escape.
    encodable = not any("\ud800" <= c <= "\udfff" for c in text)
    return [
        *(in_path if encodable else []),
        ("PUT", "/merchants/M1", {"name": text}),
        ("PUT", "/merchants/M1/locations", {"locations": [{"ref": text, "name": text}]}),
        (
            "PUT",
            "/merchants/M1/products",
            {"products": [{"sku": text, "name": text}]},
        ),
        ("POST", "/merchants/M1/orders", order_body(text)),
        ("POST", "/merchants/M1/orders", order_body("POS-9", location_ref=text)),
    ]


@pytest.mark.parametrize("text", NASTY)
def test_control_characters_in_every_field_never_fail(app: Flask, text: str) -> None:
    """SEC-35: NUL and control characters in any field are refused, never a server error."""
    app.config["API_RATE_LIMIT"] = "100000/minute"
    api = Api(app.test_client(), new_key(app))
    assert api.put("/merchants/M1", {"name": "Boulangerie"}).status_code in (200, 201)
    for method, path, body in _bodies(text):
        answer = api.call(method, path, body)
        assert answer.status_code < 500, (method, path, body, answer.status_code)
