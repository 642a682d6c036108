"""Drift watch pages: the e-mail switch of the Connection page, and the demo's mailbox."""

from __future__ import annotations

from datetime import datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField

from portal import config
from portal.access import current_merchant, merchant_required, public
from portal.audit.actor import actor_from_request
from portal.models.base import utcnow
from portal.sync import services

bp = Blueprint("sync", __name__)

# Where `make demo` writes the e-mails it would send.
DEMO_MAILBOX = "mail"


class EmailsForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """The switch of the change e-mails."""

    enabled = BooleanField()


@bp.post("/connect/emails")
@merchant_required
def emails() -> Response:
    """Turn the e-mails about changes at Pongo on or off."""
    form = EmailsForm()
    if form.validate_on_submit():
        enabled = bool(form.enabled.data)
        # The form offers the opposite of the switch as drawn: when the switch already holds
        # the value asked for, it was changed elsewhere since the page was drawn.
        if not services.set_mail_enabled(
            current_merchant(), enabled=enabled, actor=actor_from_request()
        ):
            flash(
                _("The e-mails were already turned on elsewhere since this page was opened.")
                if enabled
                else _("The e-mails were already turned off elsewhere since this page was opened."),
                "info",
            )
        elif enabled:
            flash(_("You will get an e-mail when something at Pongo needs you."), "success")
        else:
            flash(_("You will no longer get e-mails about changes at Pongo."), "info")
    return redirect(url_for("connect.index"))


def demo_mailbox(app: Flask) -> Path:
    """Where the demo's e-mails go: the PORTAL_SMTP_URL folder, or instance/mail."""
    url = urlsplit(config.of(app).mail.smtp_url)
    if url.scheme == "file":
        return Path(unquote(url.path))
    return Path(app.instance_path) / DEMO_MAILBOX


def _read(path: Path) -> dict[str, Any]:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    body = message.get_body(preferencelist=("plain",))
    return {
        "name": path.name,
        "subject": str(message["Subject"] or ""),
        "to": str(message["To"] or ""),
        "body": body.get_content() if body is not None else "",
    }


@bp.get("/demo/mail")
@public
def demo_mail() -> str:
    """The e-mails the demo would have sent, newest first (demo mode only)."""
    if not config.current().demo:
        abort(404)
    folder = demo_mailbox(current_app)
    files = sorted(folder.glob("*.eml"), reverse=True)[:50] if folder.is_dir() else []
    return render_template("sync/demo_mail.html", messages=[_read(path) for path in files])


def ago(moment: datetime | None) -> str:
    """How long ago, in words of the current language ("2 hours ago")."""
    if moment is None:
        return ""
    return str(format_timedelta(moment - utcnow(), add_direction=True))


def init_app(app: Flask) -> None:
    """Register the pages and the `ago` filter."""
    app.register_blueprint(bp)
    app.add_template_filter(ago, "ago")
