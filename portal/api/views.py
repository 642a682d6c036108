"""The POS API: JSON over HTTPS with a vendor-wide Bearer API key.

Routes register their schemas in the OpenAPI registry beside their definition; the routes of
each resource module (orders) are added to the blueprint below, by name.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, g, jsonify, request
from limits import parse as parse_limit

from portal.access import API, blueprint_policy, public
from portal.api import catalogue, openapi, orders, services
from portal.api.errors import InvalidBody
from portal.api.http import json_answer, merchant_or_404, parse
from portal.api.keys import verify_key
from portal.api.openapi import Operation, operation
from portal.api.schemas import (
    LocationsIn,
    LocationsOut,
    MerchantIn,
    MerchantOut,
    ProductsIn,
    ReplaceCounts,
    RewardOut,
    RewardsOut,
    ValidationErrors,
)
from portal.audit.actor import actor_from_request
from portal.extensions import client_address, csrf, limiter
from portal.rewards import entries as rewards
from portal.security_log import security_event

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
blueprint_policy(bp, API)

DEFAULT_RATE_LIMIT = "600/minute"
# Failed authentications allowed per client address; a valid key is never refused for them.
AUTH_FAILURE_LIMIT = parse_limit("60/minute")


def _rate_limit() -> str:
    return str(current_app.config.get("API_RATE_LIMIT", DEFAULT_RATE_LIMIT))


# The public OpenAPI document is limited per address; calls with a key are limited per key
# once the key is known to be real (see `authenticate`), so a forged key spends nobody's budget.
limiter.limit(
    _rate_limit,
    key_func=client_address,
    exempt_when=lambda: request.endpoint != "api.openapi_document",
)(bp)


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


@bp.before_request
def authenticate() -> Response | None:
    """Refuse any call without a live API key; remember the key's name as the actor."""
    if request.endpoint == "api.openapi_document":
        return None
    presented = _bearer()
    key = verify_key(presented) if presented else None
    if key is None:
        security_event("api_key", "failure", path=request.path)
        if not limiter.limiter.hit(AUTH_FAILURE_LIMIT, "api-auth-failure", client_address()):
            abort(429)
        answer = jsonify(error="Unauthorized", message="A valid API key is required.")
        answer.status_code = 401
        answer.headers["WWW-Authenticate"] = 'Bearer realm="pos-api"'
        return answer
    if not limiter.limiter.hit(parse_limit(_rate_limit()), "api-key", key.prefix):
        abort(429)
    g.api_key_name = f"api-key:{key.name}"
    return None


@bp.errorhandler(InvalidBody)
def invalid_body(error: InvalidBody) -> tuple[Response, int]:
    """Every field error at once; the request rolls back so nothing is written."""
    return jsonify(ValidationErrors(errors=error.errors).model_dump()), 422


MERCHANT = "/merchants/{ref}"
LOCATIONS = "/merchants/{ref}/locations"
PRODUCTS = "/merchants/{ref}/products"
REWARDS = "/merchants/{ref}/rewards"

operation(
    Operation(MERCHANT, "put", "Create or rename a merchant", MerchantOut, MerchantIn, also=(201,))
)
operation(
    Operation(LOCATIONS, "put", "Replace the merchant's locations", ReplaceCounts, LocationsIn)
)
operation(Operation(LOCATIONS, "get", "The merchant's locations with their store", LocationsOut))
operation(
    Operation(
        PRODUCTS, "put", "Replace the merchant's product catalogue", ReplaceCounts, ProductsIn
    )
)
operation(
    Operation(REWARDS, "get", "The merchant's Pongo rewards with the SKUs they map to", RewardsOut)
)


@bp.put("/merchants/<ref>")
def put_merchant(ref: str) -> tuple[Response, int]:
    """Create or rename a merchant (201 when new)."""
    if len(ref) > 128 or not ref.isprintable():
        abort(404)
    merchant, created = services.put_merchant(
        ref=ref, body=parse(MerchantIn), actor=actor_from_request()
    )
    out = MerchantOut(
        ref=merchant.ref, name=merchant.name, locale=merchant.locale, currency=merchant.currency
    )
    return json_answer(out, 201 if created else 200)


@bp.put("/merchants/<ref>/locations")
def put_locations(ref: str) -> tuple[Response, int]:
    """Replace the merchant's full set of locations."""
    merchant = merchant_or_404(ref)
    body = parse(LocationsIn)
    return json_answer(
        services.replace_locations(
            merchant=merchant, incoming=body.locations, actor=actor_from_request()
        )
    )


@bp.get("/merchants/<ref>/locations")
def get_locations(ref: str) -> tuple[Response, int]:
    """Every location with its linked Pongo store slug."""
    merchant = merchant_or_404(ref)
    return json_answer(LocationsOut(locations=services.list_locations(merchant=merchant)))


@bp.put("/merchants/<ref>/products")
def put_products(ref: str) -> tuple[Response, int]:
    """Replace the merchant's full product catalogue."""
    merchant = merchant_or_404(ref)
    with catalogue.collector_disabled():
        body = parse(ProductsIn)
        counts = catalogue.replace_products(
            merchant=merchant, incoming=body.products, actor=actor_from_request()
        )
    return json_answer(counts)


@bp.get("/merchants/<ref>/rewards")
def get_rewards(ref: str) -> tuple[Response, int]:
    """Every cached Pongo reward with its status, shape and the SKUs of this POS it maps to."""
    merchant = merchant_or_404(ref)
    sync = rewards.last_sync(merchant)
    out = RewardsOut(
        rewards=[
            RewardOut(
                public_reward_id=review.public_id,
                name=review.name,
                status=review.status.value,
                skus=list(review.pos_skus),
                shape=review.shape.value,
            )
            for review in rewards.pos_rewards(merchant)
        ],
        synced_at=sync.synced_at if sync else None,
    )
    return json_answer(out)


for order_operation in orders.OPERATIONS:
    operation(order_operation)
bp.add_url_rule("/merchants/<ref>/orders", view_func=orders.post_order, methods=["POST"])
bp.add_url_rule("/merchants/<ref>/orders/<order_ref>", view_func=orders.get_order, methods=["GET"])


@bp.get("/openapi.json")
@public
def openapi_document() -> Response:
    """The OpenAPI 3.1 document; public, it holds no secret and helps POS developers."""
    return jsonify(openapi.document())
