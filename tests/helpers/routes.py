"""The portal's routes by access policy, and the writes allowed while viewing as a merchant."""

from __future__ import annotations

from flask import Blueprint, Flask, url_for

from portal.access import MERCHANT, merchant_required, never_while_viewing_as, policy_of
from portal.audit.services import record

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# Every write a support agent may make while viewing as a merchant, in read mode too. They only
# change the support session itself. Adding to this list is a security decision: review it.
PERMITTED_WHILE_VIEWING = {
    "support.end_view",
    "support.switch_to_write",
    "support.start_view",
    "support.logout",
    "entry.logout",
    "i18n.switch_language",
}


def merchant_get_rules(app: Flask) -> list[str]:
    """Paths of every merchant page that takes no argument."""
    with app.test_request_context():
        return sorted(
            r.rule
            for r in app.url_map.iter_rules()
            if "GET" in (r.methods or set())
            and policy_of(r.endpoint) == MERCHANT
            and not r.arguments
        )


def write_routes(app: Flask) -> list[tuple[str, str, str | None, str]]:
    """(endpoint, method, policy, url) for every write route of the app."""
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            for method in sorted((rule.methods or set()) & WRITE_METHODS):
                url = url_for(rule.endpoint, **dict.fromkeys(rule.arguments, "1"))
                routes.append((rule.endpoint, method, policy_of(rule.endpoint), url))
    return routes


def add_dummy_write(app: Flask) -> None:
    """A merchant write route added after the guard was written, as a new feature would."""

    @merchant_required
    def dummy_write() -> str:
        from portal.access import current_merchant
        from portal.audit.actor import actor_from_request

        # Any registered action stands in for the new feature's own.
        record("stores.refresh", actor=actor_from_request(), merchant=current_merchant())
        return "written"

    app.add_url_rule("/dummy-write", "dummy_write", dummy_write, methods=["POST"])


def add_connection_endpoints(app: Flask) -> None:
    """Stand-ins for the Pongo connection views when they are not on this branch."""
    if "connect.start" in app.view_functions:
        return
    bp = Blueprint("connect", __name__, url_prefix="/connect")

    def stand_in() -> str:
        return "connected"

    for name in ("start", "callback", "disconnect"):
        bp.add_url_rule(f"/{name}", name, merchant_required(stand_in), methods=["GET", "POST"])
    app.register_blueprint(bp)


def add_secret(app: Flask) -> None:
    """A merchant page marked as never shown to support (like a page showing a secret)."""

    @merchant_required
    @never_while_viewing_as
    def show_secret() -> str:
        return "the secret"

    app.add_url_rule("/secret", "secret", show_secret, methods=["GET", "POST"])


def add_feature_routes(app: Flask) -> None:
    """Routes added the way new features would add them: a write, connection views, a secret."""
    add_dummy_write(app)
    add_connection_endpoints(app)
    add_secret(app)
