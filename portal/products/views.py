"""The Products page: search the POS catalogue and compose a reward's SKU list (read-only)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.access import current_merchant, merchant_required
from portal.listing import parse_page
from portal.products import composer, export, markup, services

bp = Blueprint("products", __name__, url_prefix="/products")


def _selection() -> composer.Selection:
    """The composer's selection carried by the query string (and the boxes just submitted)."""
    return composer.parse_selection(
        selected=request.args.getlist("sel"),
        kept=request.args.getlist("keep"),
        shown=request.args.getlist("shown"),
        ticked=request.args.getlist("tick"),
        reward=request.args.get("reward"),
    )


@bp.get("")
@merchant_required
def index() -> str:
    """One page of the catalogue, searched and filtered, beside the SKU list being composed."""
    listing = services.products_page(
        merchant=current_merchant(),
        filters=services.parse_filters(request.args),
        page=parse_page(request.args.get("page")),
        selection=_selection(),
    )
    return render_page(listing)


def render_page(listing: services.ProductsPage) -> str:
    """The Products page for one listing: the template around the rows Python writes."""
    options = markup.location_options(listing.locations, listing.filters.location)
    return render_template(
        "products/index.html",
        listing=listing,
        location_options=options,
        product_rows=markup.product_rows(listing),
    )


@bp.get("/from-reward/<public_id>")
@merchant_required
def from_reward(public_id: str) -> Response:
    """Open the composer on a reward's current SKUs, other systems' codes kept at the end."""
    selection = composer.selection_from_reward(current_merchant(), public_id)
    if selection is None:
        abort(404)
    return redirect(url_for("products.index", **selection.args()))


@bp.get("/export.csv")
@merchant_required
def export_csv() -> Response:
    """Download the catalogue (with the page's filters) as CSV."""
    merchant = current_merchant()
    currency = services.merchant_currency(merchant)
    rows = services.export_rows(merchant, services.parse_filters(request.args))
    response = Response(export.to_csv(rows, currency), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    # A fixed file name: the merchant's reference is not trusted inside a header.
    response.headers["Content-Disposition"] = 'attachment; filename="pos-products.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
