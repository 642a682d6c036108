"""The Orders page: relayed orders with their status, one order's detail, retrying failures."""

from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal import config
from portal.access import current_merchant, get_or_404, merchant_required
from portal.audit.actor import actor_from_request
from portal.listing import parse_page
from portal.models.orders import Order, OrderRelay
from portal.orders import facts, markup, pages, services
from portal.orders.forms import RetryForm
from portal.orders.reasons import plain_reason
from portal.orders.status_updates import updates_of

bp = Blueprint("orders", __name__, url_prefix="/orders")


def reason_of(relay: OrderRelay, order: Order | None = None) -> str | None:
    """Why the order is not delivered, in the reader's language."""
    return plain_reason(
        status=relay.status,
        answer=relay.pongo_answer,
        paused_days=config.current().orders.paused_days,
        erased=order is not None and order.customer_erased_at is not None,
    )


@bp.get("")
@merchant_required
def index() -> str:
    """List the merchant's orders, filtered by status and searched by order ref."""
    merchant = current_merchant()
    listing = pages.orders_page(
        merchant=merchant,
        status=request.args.get("status") or None,
        query=request.args.get("q", ""),
        page=parse_page(request.args.get("page")),
    )
    return render_template(
        "orders/index.html",
        listing=listing,
        order_rows=markup.order_rows(listing, merchant.currency),
        outage=services.pongo_outage(merchant),
    )


@bp.get("/<order_ref>")
@merchant_required
def detail(order_ref: str) -> str:
    """One order: what was sent, Pongo's answer and every attempt."""
    merchant = current_merchant()
    found = pages.order_detail(merchant=merchant, order_ref=order_ref)
    if found is None:
        abort(404)
    answer = found.relay.pongo_answer or {}
    raw = answer.get("body") if "body" in answer else None
    order = found.order
    return render_template(
        "orders/detail.html",
        found=found,
        location_name=found.location_name,
        store_name=found.store_name,
        lines=facts.lines_of(order.payload),
        customer=facts.customer_of(order.payload),
        needs_reconnection=facts.needs_reconnection(merchant),
        currency=merchant.currency,
        reason=reason_of(found.relay, found.order),
        outage=services.pongo_outage(merchant),
        updates=updates_of(found.order.id),
        sent=json.dumps(found.order.payload, indent=2, ensure_ascii=False),
        answer_status=answer.get("status_code"),
        # Pongo's raw answer to a refusal, or the receipt of a delivery.
        answer=_readable(raw)
        if raw is not None
        else (json.dumps(answer, indent=2) if answer else None),
        form=RetryForm(),
    )


def _readable(raw: str) -> str:
    """Pongo's raw answer, indented when it is JSON."""
    try:
        return json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    except ValueError:
        return raw


@bp.post("/<order_ref>/retry")
@merchant_required
def retry(order_ref: str) -> Response:
    """Send a failed order again, with a fresh attempt budget."""
    merchant = current_merchant()
    get_or_404(Order, merchant, order_ref=order_ref)
    form = RetryForm()
    if not form.validate_on_submit():
        abort(400)
    if services.retry_order(merchant=merchant, order_ref=order_ref, actor=actor_from_request()):
        flash(_("Order %(ref)s will be sent to Pongo again.", ref=order_ref), "success")
    else:
        flash(_("Only a failed order can be retried."), "warning")
    return redirect(url_for("orders.detail", order_ref=order_ref))
