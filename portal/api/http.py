"""What every POS API route does at the edge: parse the body, find the merchant, answer JSON."""

from __future__ import annotations

from typing import TypeVar

from flask import Response, current_app, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import NotFound

from portal.api import services
from portal.api.errors import InvalidBody, field_errors
from portal.models.merchant import Merchant

M = TypeVar("M", bound=BaseModel)


def parse(model: type[M]) -> M:
    """Validate the raw JSON body against a model (no intermediate dicts for big bodies)."""
    try:
        return model.model_validate_json(request.get_data(cache=False) or b"")
    except ValidationError as error:
        raise InvalidBody(field_errors(error)) from None


def not_found(message: str) -> NotFound:
    """A JSON 404 saying what is unknown."""
    missing = NotFound()
    missing.portal_message = message  # type: ignore[attr-defined]  # read by errors
    return missing


def merchant_or_404(ref: str) -> Merchant:
    """The merchant named in the path, or a JSON 404."""
    merchant = services.find_merchant(ref)
    if merchant is None:
        raise not_found("Unknown merchant.")
    return merchant


def json_answer(model: BaseModel, status: int = 200) -> tuple[Response, int]:
    """The model as the JSON body of the answer."""
    return current_app.response_class(model.model_dump_json(), mimetype="application/json"), status
