"""The OpenAPI document of the POS API, built from the same pydantic models that validate.

Each area registers its operations with `operation(...)`; the document lists them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from portal.api.schemas import Error, ValidationErrors

REF_TEMPLATE = "#/components/schemas/{model}"


@dataclass(frozen=True)
class Operation:
    """One method on one path, with the models of its body and its success answer."""

    path: str
    method: str
    summary: str
    response: type[BaseModel]
    request: type[BaseModel] | None = None
    status: int = 200
    also: tuple[int, ...] = ()
    tag: str = "merchants"


OPERATIONS: list[Operation] = []


def operation(op: Operation) -> Operation:
    """Add an operation to the document (once per method and path)."""
    if any(o.path == op.path and o.method == op.method for o in OPERATIONS):
        return op
    OPERATIONS.append(op)
    return op


_PATH_PARAMETER = {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[^/]+$"}


def _content(model: type[BaseModel]) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": REF_TEMPLATE.format(model=model.__name__)}}}


def _parameters(path: str) -> list[dict[str, Any]]:
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    return [{"name": n, "in": "path", "required": True, "schema": _PATH_PARAMETER} for n in names]


def _operation(op: Operation) -> dict[str, Any]:
    responses: dict[str, Any] = {
        str(op.status): {"description": "Success", "content": _content(op.response)},
        "401": {"description": "Missing, unknown or revoked API key", "content": _content(Error)},
        "404": {"description": "Unknown merchant", "content": _content(Error)},
        "429": {"description": "Too many requests for this key", "content": _content(Error)},
    }
    for status in op.also:
        responses[str(status)] = {"description": "Success", "content": _content(op.response)}
    if op.request is not None:
        responses["413"] = {"description": "Body too large", "content": _content(Error)}
        responses["422"] = {
            "description": "Invalid body; nothing was changed",
            "content": _content(ValidationErrors),
        }
    document: dict[str, Any] = {
        "summary": op.summary,
        "operationId": f"{op.method}_{op.path}".replace("/", "_").replace("{", "").replace("}", ""),
        "tags": [op.tag],
        "parameters": _parameters(op.path),
        "responses": responses,
    }
    if op.request is not None:
        document["requestBody"] = {"required": True, "content": _content(op.request)}
    return document


def document(server_url: str = "/api/v1") -> dict[str, Any]:
    """The OpenAPI 3.1 document of every registered operation."""
    models: set[type[BaseModel]] = {Error, ValidationErrors}
    for op in OPERATIONS:
        models.add(op.response)
        if op.request is not None:
            models.add(op.request)
    modes: list[tuple[type[BaseModel], Literal["validation", "serialization"]]] = sorted(
        [(m, "validation") for m in models if _is_request(m)]
        + [(m, "serialization") for m in models if not _is_request(m)],
        key=lambda pair: pair[0].__name__,
    )
    _, schemas = models_json_schema(modes, ref_template=REF_TEMPLATE)
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Pongo portal POS API", "version": "1"},
        "servers": [{"url": server_url}],
        "security": [{"apiKey": []}],
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A key made by `portal create-api-key`",
                }
            },
        },
    }


def _is_request(model: type[BaseModel]) -> bool:
    return any(op.request is model for op in OPERATIONS)
