"""Liveness and readiness probes for the load balancer."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from portal.access import PUBLIC, blueprint_policy
from portal.extensions import db, limiter

bp = Blueprint("health", __name__)
blueprint_policy(bp, PUBLIC)


@bp.get("/healthz")
@limiter.exempt
def healthz() -> Response:
    """The process is up."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
@limiter.exempt
def readyz() -> tuple[Response, int]:
    """The database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"}), 200
