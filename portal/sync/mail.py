"""The digest e-mail: what changed at Pongo that needs the merchant, in the admin's language.

It goes to the e-mail address of the last launch, and links to the POS admin panel that
launch came from: a launch link is single-use and short-lived, so it cannot be mailed.
Nothing is sent while PORTAL_SMTP_URL is unset, or when the merchant turned the e-mails off.

PORTAL_SMTP_URL forms: `smtp://user:password@host:25` (plain, or STARTTLS with
`smtp+starttls://`), `smtps://host:465` (TLS), and `file:///path/to/folder` (each message
written there as an .eml file; what `make demo` uses).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import uuid
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Flask, render_template
from flask_babel import force_locale, ngettext
from sqlalchemy import select, update

from portal import config
from portal.config import MailSettings
from portal.extensions import db
from portal.i18n import normalise_locale
from portal.models.base import utcnow
from portal.models.drift import DriftChange, SyncState
from portal.models.merchant import Merchant
from portal.sync.sentences import describe

log = logging.getLogger("portal.sync.mail")

SMTP_TIMEOUT = 20


class MailNotSent(Exception):
    """The mail server refused the message or could not be reached."""


def deliver(smtp_url: str, message: EmailMessage) -> None:
    """Hand one message to the mail server (or the folder) that the URL names."""
    url = urlsplit(smtp_url)
    if url.scheme == "file":
        folder = Path(unquote(url.path))
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
        (folder / name).write_bytes(message.as_bytes())
        return
    if url.scheme not in {"smtp", "smtps", "smtp+starttls"}:
        raise MailNotSent(f"unknown mail URL scheme {url.scheme!r}")
    host = url.hostname or "localhost"
    try:
        if url.scheme == "smtps":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                host, url.port or 465, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(host, url.port or 25, timeout=SMTP_TIMEOUT)
        with server:
            if url.scheme == "smtp+starttls":
                server.starttls(context=ssl.create_default_context())
            if url.username:
                server.login(unquote(url.username), unquote(url.password or ""))
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailNotSent(type(error).__name__) from error


def compose(
    app: Flask, merchant: Merchant, state: SyncState, changes: list[DriftChange], mail_from: str
) -> EmailMessage:
    """The digest of these changes, in the language of the merchant's last launch."""
    locale = normalise_locale(state.launch_locale) or normalise_locale(merchant.locale) or "en"
    base_url = config.of(app).base_url
    # Flask-Babel switches language per request; a worker has none, so the mail gets its own.
    with app.test_request_context(base_url=base_url), force_locale(locale):
        subject = ngettext(
            "Pongo: %(num)d change needs your attention",
            "Pongo: %(num)d changes need your attention",
            len(changes),
        )
        body = render_template(
            "mail/digest.txt",
            merchant=merchant,
            lines=[describe(change) for change in changes],
            return_url=state.launch_return_url,
        )
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = mail_from
    message["To"] = state.launch_email or ""
    message["Content-Language"] = locale.replace("_", "-")
    message.set_content(body)
    return message


def send_digest(app: Flask, merchant_id: int, mail: MailSettings) -> bool:
    """Mail the changes of the merchant's last sync that need it; True when a mail went out."""
    if not mail.smtp_url:
        return False
    with app.app_context():
        try:
            state = db.session.get(SyncState, merchant_id)
            merchant = db.session.get(Merchant, merchant_id)
            if merchant is None or state is None or not state.mail_enabled:
                return False
            if not state.launch_email or state.last_attempt_at is None:
                return False
            pending = list(
                db.session.scalars(
                    select(DriftChange)
                    .where(
                        DriftChange.merchant_id == merchant_id,
                        DriftChange.needs_merchant.is_(True),
                        DriftChange.mailed_at.is_(None),
                        DriftChange.at >= state.last_attempt_at,
                    )
                    .order_by(DriftChange.id)
                )
            )
            if not pending:
                return False
            message = compose(app, merchant, state, pending, mail.from_address)
            try:
                deliver(mail.smtp_url, message)
            except MailNotSent as error:
                log.warning("digest for merchant %s not sent: %s", merchant.ref, error)
                return False
            sent_at: datetime = utcnow()
            db.session.execute(
                update(DriftChange)
                .where(DriftChange.id.in_([change.id for change in pending]))
                .values(mailed_at=sent_at)
            )
            state.last_mail_at = sent_at
            db.session.commit()
            return True
        finally:
            db.session.remove()
