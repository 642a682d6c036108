"""The Locations page: link each POS location to its Pongo store."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from portal.access import current_merchant, merchant_required
from portal.audit.actor import actor_from_request
from portal.listing import clean_query, parse_page
from portal.locations import markup, operations, pages
from portal.locations.forms import AcceptForm, LinksForm, row_edits, row_versions
from portal.locations.tablets import tablet_choices
from portal.pongo_refresh import refresh_from_pongo

bp = Blueprint("locations", __name__, url_prefix="/locations")


def _listing_args() -> dict[str, Any]:
    """Where the merchant was in the list, kept across a POST and its redirect."""
    source = request.form if request.method == "POST" else request.args
    args: dict[str, Any] = {}
    if source.get("q"):
        args["q"] = clean_query(source.get("q"))
    # The form repeats the page so the redirect after a save lands where the merchant was.
    if source.get("page"):
        args["page"] = parse_page(source.get("page"))
    if source.get("show") == "inactive":
        args["show"] = "inactive"
    return args


def _render(refused: operations.LinksRefused | None = None, status: int = 200) -> tuple[str, int]:
    merchant = current_merchant()
    args = _listing_args()
    focus = request.args.get("focus", "")
    page = int(str(args.get("page", 1)))
    if focus and not args.get("q"):
        page = pages.page_of(merchant, focus)
    listing = pages.locations_page(
        merchant=merchant,
        query=str(args.get("q", "")),
        page=page,
        inactive=args.get("show") == "inactive",
        refused=refused,
    )
    # The next step the page offers needs no figures of its own while this step is not done.
    g.locations_step_done = listing.step_done
    errors = {ref: _message(code) for ref, code in (refused.errors if refused else {}).items()}
    return render_template(
        "locations/index.html",
        listing=listing,
        errors=errors,
        tablet_errors=refused.tablet_errors if refused else {},
        typed_tablets=refused.tablets if refused else {},
        link_rows=markup.link_rows,
        version_fields=markup.version_fields,
        accept_form=AcceptForm(),
    ), status


def _message(code: str) -> str:
    """The merchant's words for why a row was refused."""
    if code.startswith("taken:"):
        message = _(
            "This store is already linked to location %(refs)s. Unlink it there first.",
            refs=code.removeprefix("taken:"),
        )
    elif code == operations.CONFLICT:
        message = _(
            "Changed elsewhere since this page was opened: your choice was not saved. "
            "The row shows its link as it is now; choose again if needed."
        )
    elif code == "gone":
        message = _(
            "This store is no longer among your Pongo stores. Refresh from Pongo and choose again."
        )
    else:
        message = _("This location no longer exists.")
    return str(message)


@bp.get("")
@merchant_required
def index() -> tuple[str, int]:
    """List locations with their store, state and suggestion."""
    return _render()


@bp.post("")
@merchant_required
def save() -> Response | tuple[str, int]:
    """Save the links of every row shown, all or nothing."""
    form = LinksForm()
    if not form.validate_on_submit():
        return _render(status=400)
    edits = row_edits(request.form)
    try:
        changed = operations.save_links(
            merchant=current_merchant(),
            edits=edits,
            actor=actor_from_request(),
            tablets=tablet_choices(request.form, list(edits)),
        )
    except operations.LinksRefused as refused:
        flash(
            ngettext(
                "Nothing was saved: %(num)d row needs another choice.",
                "Nothing was saved: %(num)d rows need another choice.",
                len(set(refused.errors) | set(refused.tablet_errors)),
            ),
            "error",
        )
        conflict = operations.CONFLICT in refused.errors.values()
        return _render(refused, status=409 if conflict else 422)
    flash(
        ngettext("Links saved: %(num)d changed.", "Links saved: %(num)d changed.", changed),
        "success",
    )
    return redirect(url_for("locations.index", **_listing_args()))


@bp.post("/accept")
@merchant_required
def accept() -> Response | tuple[str, int]:
    """Accept the suggestions of the rows shown at or above the chosen confidence."""
    form = AcceptForm()
    if not form.validate_on_submit() or form.threshold.data is None:
        flash(_("Choose a confidence between 1 and 100 %."), "error")
        return _render(status=422)
    linked, changed_elsewhere = operations.accept_suggestions(
        merchant=current_merchant(),
        versions=row_versions(request.form),
        threshold=form.threshold.data,
        actor=actor_from_request(),
    )
    flash(
        ngettext("%(num)d suggestion accepted.", "%(num)d suggestions accepted.", linked), "success"
    )
    if changed_elsewhere:
        flash(
            ngettext(
                "%(num)d row changed elsewhere since this page was opened: it was left as it "
                "is now.",
                "%(num)d rows changed elsewhere since this page was opened: they were left as "
                "they are now.",
                changed_elsewhere,
            ),
            "info",
        )
    return redirect(url_for("locations.index", **_listing_args()))


@bp.post("/refresh")
@merchant_required
def refresh() -> Response:
    """Fetch the merchant's stores from Pongo again."""
    refresh_from_pongo(
        operations.refresh_stores,
        "stores",
        done=lambda count: ngettext(
            "%(num)d Pongo store fetched.", "%(num)d Pongo stores fetched.", count
        ),
        failed=lambda reason: _("Your stores were not refreshed: %(reason)s", reason=reason),
    )
    return redirect(url_for("locations.index", **_listing_args()))
