"""Structured security events: one JSON line each, never a secret."""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import g, has_request_context, request, session

logger = logging.getLogger("portal.security")


def security_event(event: str, outcome: str, **fields: Any) -> None:
    """Log a security event with the request id, caller address and the session's tenant."""
    record: dict[str, Any] = {"event": event, "outcome": outcome, **fields}
    if has_request_context():
        record.setdefault("request_id", g.get("request_id"))
        record.setdefault("ip", request.remote_addr)
        if session.get("merchant_id"):
            record.setdefault("merchant_id", session["merchant_id"])
    level = logging.INFO if outcome == "success" else logging.WARNING
    # json.dumps escapes control characters, so CR/LF in caller-supplied text cannot forge lines.
    logger.log(
        level, json.dumps(record, default=str, ensure_ascii=True), extra={"security": record}
    )
