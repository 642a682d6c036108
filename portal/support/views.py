"""Support console pages: sign-in, directory, merchant card, and the view-as controls."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.wrappers import Response
from wtforms import ValidationError

from portal.access import current_staff, public, staff_required
from portal.audit.actor import actor_from_request
from portal.extensions import client_address, csrf, db, limiter
from portal.listing import parse_page
from portal.models.merchant import Merchant
from portal.pos_status.services import notifications_of
from portal.security_log import security_event
from portal.sessions import end_session
from portal.support import accounts, attempts, directory, factor, signin, viewas
from portal.support.forms import LoginForm, ReasonForm, SearchForm
from portal.support.profile import merchant_profile

bp = Blueprint("support", __name__, url_prefix="/support")

LOGIN_FAILED = 422


def _staff_key() -> str:
    return f"staff:{session.get('staff_id')}"


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Response | tuple[str, int] | str:
    """Staff sign-in, with one message for every failure."""
    if session.get("staff_id") and request.method == "GET":
        return redirect(url_for("support.index"))
    form = LoginForm()
    # Counted before anything is checked: an attempt over the limit never reaches the password.
    tried = {
        "email": accounts.normalise_email(request.form.get("email", "")),
        "address": client_address(),
    }
    if request.method == "POST" and not attempts.take_attempt(**tried):
        abort(429)
    if not form.validate_on_submit():
        status = LOGIN_FAILED if request.method == "POST" else 200
        return render_template("support/login.html", form=form), status
    staff = accounts.authenticate(email=form.email.data, password=form.password.data)
    if staff is None:
        security_event("staff_login", "failure")  # no e-mail: personal data stays out of logs
        error = _("E-mail or password is incorrect.")
        return render_template("support/login.html", form=form, error=error), LOGIN_FAILED
    attempts.refund_attempt(**tried)
    # The password alone reaches no staff page: the second factor (or its set-up) comes next.
    signin.start(staff)
    security_event("staff_password", "success", staff_id=staff.id)
    if factor.has_factor(staff):
        return redirect(url_for("support.verify_factor"))
    return redirect(url_for("support.setup_factor"))


@bp.post("/logout")
@public
def logout() -> Response:
    """Sign out of the console (ending any view as a merchant first)."""
    if session.get("staff_id") and session.get("view_as"):
        viewas.end_view(actor=actor_from_request(), outcome="signed_out")
    end_session()
    flash(_("You are signed out."), "info")
    return redirect(url_for("support.login"))


@bp.get("/")
@staff_required
def index() -> str:
    """The merchant directory."""
    form = SearchForm(request.args)
    form.validate()
    found = directory.search_merchants(
        text=form.q.data or "",
        problem_key=form.problem.data or None,
        page=parse_page(request.args.get("page")),
    )
    return render_template("support/index.html", form=form, found=found)


def _merchant_or_404(ref: str) -> directory.DirectoryRow:
    row = directory.merchant_row(ref)
    if row is None:
        abort(404)
    return row


def _merchant_page(row: directory.DirectoryRow, form: ReasonForm) -> str:
    """The merchant's support page: health, what the POS was told, and the view-as form."""
    return render_template(
        "support/merchant.html",
        row=row,
        form=form,
        profile=merchant_profile(row.merchant),
        pos=notifications_of(row.merchant),
    )


@bp.get("/merchants/<ref>")
@staff_required
def merchant(ref: str) -> str:
    """One merchant's health, and the form to view its portal."""
    return _merchant_page(_merchant_or_404(ref), ReasonForm())


@bp.post("/merchants/<ref>/view")
@staff_required
@limiter.limit("20 per minute", key_func=_staff_key)
def start_view(ref: str) -> Response | tuple[str, int]:
    """Start viewing the merchant's portal, read-only, with a required reason."""
    row = _merchant_or_404(ref)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _merchant_page(row, form), 422
    viewas.start_view(staff=current_staff(), merchant=row.merchant, reason=form.reason.data)
    security_event("support_view", "success", merchant=ref, staff_id=current_staff().id)
    return redirect(url_for("overview.index"))


@bp.route("/view/write", methods=["GET", "POST"])
@staff_required
def switch_to_write() -> Response | tuple[str, int] | str:
    """A support admin lets the current view make changes, with a second reason."""
    view = viewas.current_view()
    if view is None:
        return redirect(url_for("support.index"))
    if not current_staff().is_admin:
        security_event("authz", "denied", reason="write mode needs support-admin")
        abort(403)
    merchant = db.session.get(Merchant, view.merchant_id)
    form = ReasonForm()
    if view.mode == viewas.WRITE:
        return redirect(url_for("overview.index"))
    if not signin.factor_is_recent():
        signin.ask_recheck("support.switch_to_write")
        return redirect(url_for("support.verify_factor"))
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("support/write_mode.html", form=form, merchant=merchant), status
    viewas.switch_to_write(view=view, reason=form.reason.data, actor=actor_from_request())
    security_event("support_view_write", "success", staff_id=current_staff().id)
    flash(_("Write mode is on until the view ends."), "warning")
    return redirect(url_for("overview.index"))


@bp.post("/view/end")
@staff_required
@csrf.exempt  # type: ignore[untyped-decorator]  # Flask-WTF ships no type hints
def end_view() -> Response:
    """End the view and return to the console (a tab whose view already ended just goes back).

    Exempt from the automatic CSRF check so that a second tab holding the previous
    session's token is not refused; the token is still required when a view is ended here.
    """
    if viewas.current_view() is not None:
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError as error:
            raise CSRFError(str(error)) from error
        viewas.end_view(actor=actor_from_request())
        flash(_("You are back in the support console."), "success")
    return redirect(url_for("support.index"))


# The second-factor pages register on `bp`; imported last, once `bp` exists.
from portal.support import factor_views  # noqa: E402, F401  # registers its routes on bp
