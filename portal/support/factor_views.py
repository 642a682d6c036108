"""Second-factor pages of the support console: set one up, sign in with it, check it again.

Registered on the support blueprint (imported at the end of support/views.py). These pages
are public to the access policy: each finds its own staff member, a pending sign-in or a
signed-in session, and sends everyone else back to the sign-in page.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from werkzeug.wrappers import Response

from portal import crypto
from portal.access import current_staff, load_staff, public, staff_required
from portal.audit.services import record, record_now
from portal.extensions import client_address
from portal.models.staff import Staff
from portal.security_log import security_event
from portal.support import attempts, factor, passkeys, signin
from portal.support.forms import CodeForm, PasskeyForm
from portal.support.views import bp

FAILED = 422
Page = Response | tuple[str, int]


def _spend_attempt(staff: Staff) -> None:
    """A second-factor try counts toward the sign-in limit like a password."""
    if not attempts.take_attempt(email=staff.email, address=client_address()):
        abort(429)


def _refund_attempt(staff: Staff) -> None:
    attempts.refund_attempt(email=staff.email, address=client_address())


def _refused(staff: Staff) -> None:
    """Audit and log a wrong code or passkey (its own transaction: the request rolls back)."""
    record_now("staff.factor.refused", actor=signin.staff_actor(staff), merchant_id=None)
    security_event("staff_second_factor", "failure", staff_id=staff.id)


def _passkey_options(staff: Staff, *, create: bool) -> str:
    """Options for the browser's passkey ceremony; the challenge waits in the session."""
    options, challenge = (
        passkeys.registration_options(staff) if create else passkeys.authentication_options(staff)
    )
    session["passkey_challenge"] = bytes_to_base64url(challenge)
    return options


def _challenge() -> bytes:
    """The challenge of the last ceremony offered, usable once."""
    return base64url_to_bytes(str(session.pop("passkey_challenge", "")))


def _who_verifies() -> tuple[Staff | None, bool]:
    """(staff member, True when a signed-in session checks again) or (None, False)."""
    if session.get("staff_id"):
        return load_staff(), True
    return signin.pending_staff(), False


def _checked(staff: Staff, codes: CodeForm, keys: PasskeyForm) -> tuple[str, dict[str, Any]] | None:
    """The sign-in action and its details when the passkey or code is right, else None."""
    if request.form.get("credential"):
        if keys.validate_on_submit() and passkeys.authenticate(
            staff, unsafe_credential=keys.credential.data, challenge=_challenge()
        ):
            return "staff.signin.passkey", {}
        return None
    if not codes.validate_on_submit():
        return None
    if factor.check_totp(staff, codes.code.data):
        return "staff.signin.totp", {}
    left = factor.use_recovery_code(staff, codes.code.data)
    return ("staff.signin.recovery", {"left": left}) if left is not None else None


@bp.route("/login/verify", methods=["GET", "POST"])
@public
def verify_factor() -> Page | str:
    """The second step of signing in, and the fresh check that write mode asks for."""
    staff, rechecking = _who_verifies()
    if staff is None:
        return redirect(url_for("support.login"))
    if not rechecking and not factor.has_factor(staff):
        return redirect(url_for("support.setup_factor"))
    codes, keys = CodeForm(), PasskeyForm()
    error = None
    if request.method == "POST":
        _spend_attempt(staff)
        checked = _checked(staff, codes, keys)
        if checked is not None:
            _refund_attempt(staff)
            if rechecking:
                return redirect(url_for(signin.note_recheck(staff)))
            action, details = checked
            signin.complete(staff, action=action, details=details)
            return redirect(url_for("support.index"))
        _refused(staff)
        error = _("That did not work: check the code (each code works once) and try again.")
    page = render_template(
        "support/verify.html",
        form=codes,
        passkey_form=keys,
        rechecking=rechecking,
        error=error,
        passkey_options=(
            _passkey_options(staff, create=False) if passkeys.has_passkey(staff) else None
        ),
    )
    return page, (FAILED if error else 200)


def _setup_secret() -> str:
    """The authenticator secret offered to this pending sign-in (encrypted in the session)."""
    kept = session.get("signin_totp_secret")
    if kept:
        try:
            return crypto.decrypt(str(kept))
        except crypto.InvalidToken:
            pass  # a key rotation since: offer a new secret
    secret = factor.new_secret()
    session["signin_totp_secret"] = crypto.encrypt(secret)
    return secret


def _set_up(staff: Staff, secret: str, codes: CodeForm, keys: PasskeyForm) -> str | None:
    """The factor-added action when the new passkey or the app's first code checks out."""
    if request.form.get("credential"):
        ok = keys.validate_on_submit() and passkeys.register(
            staff, unsafe_credential=keys.credential.data, challenge=_challenge()
        )
        return "passkey" if ok else None
    ok = codes.validate_on_submit() and factor.confirm_totp(
        staff, secret=secret, unsafe_code=codes.code.data
    )
    return "totp" if ok else None


@bp.route("/login/setup", methods=["GET", "POST"])
@public
def setup_factor() -> Page | str:
    """A staff member without a second factor sets one up before anything else."""
    staff = signin.pending_staff()
    if staff is None:
        return redirect(url_for("support.login"))
    if factor.has_factor(staff):
        return redirect(url_for("support.verify_factor"))
    secret = _setup_secret()
    codes, keys = CodeForm(), PasskeyForm()
    error = None
    if request.method == "POST":
        _spend_attempt(staff)
        added = _set_up(staff, secret, codes, keys)
        if added is not None:
            _refund_attempt(staff)
            record(f"staff.factor.{added}_added", actor=signin.staff_actor(staff), merchant=None)
            recovery = factor.new_recovery_codes(staff)
            signin.complete(staff, action=f"staff.signin.{added}")
            return render_template("support/recovery_codes.html", codes=recovery)
        _refused(staff)
        error = _("That did not work: check the code and try again.")
    uri = factor.provisioning_uri(secret, staff.email)
    page = render_template(
        "support/setup.html",
        form=codes,
        passkey_form=keys,
        error=error,
        uri=uri,
        qr=factor.qr_data_uri(uri),
        passkey_options=_passkey_options(staff, create=True),
    )
    return page, (FAILED if error else 200)


@bp.route("/factor", methods=["GET", "POST"])
@staff_required
def manage_factor() -> Page | str:
    """A signed-in staff member adds a passkey or new recovery codes, after a fresh check."""
    staff = current_staff()
    keys = PasskeyForm()
    if request.method == "POST":
        if not signin.factor_is_recent():
            signin.ask_recheck("support.manage_factor")
            return redirect(url_for("support.verify_factor"))
        if request.form.get("credential"):
            if keys.validate_on_submit() and passkeys.register(
                staff, unsafe_credential=keys.credential.data, challenge=_challenge()
            ):
                record("staff.factor.passkey_added", actor=signin.staff_actor(staff), merchant=None)
                flash(_("Your passkey is registered."), "success")
                return redirect(url_for("support.manage_factor"))
            _refused(staff)
            flash(_("The passkey was not registered. Try again."), "error")
            return redirect(url_for("support.manage_factor"))
        if request.form.get("renew"):
            recovery = factor.new_recovery_codes(staff)
            record("staff.factor.recovery_renewed", actor=signin.staff_actor(staff), merchant=None)
            return render_template("support/recovery_codes.html", codes=recovery)
    return render_template(
        "support/factor.html",
        passkey_form=keys,
        passkey_count=passkeys.count(staff),
        has_app=bool(staff.totp_secret_encrypted),
        codes_left=factor.recovery_codes_left(staff),
        passkey_options=_passkey_options(staff, create=True),
    )
