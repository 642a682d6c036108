"""`portal demo`: everything a newcomer needs to click through the portal on one machine."""

from __future__ import annotations

import secrets
import threading
from dataclasses import replace

import click
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from portal import config
from portal.demo.loader import load_demo_data
from portal.demo.orders import seed_demo_orders
from portal.demo.receiver import PATH, start_receiver
from portal.demo.sandbox import add_partner_reward
from portal.extensions import db
from portal.orders.relay import run_worker
from portal.sandbox import DEMO_FIXTURE
from portal.sandbox.server import RunningSandbox, start_sandbox
from portal.support.accounts import create_staff, find_staff, generate_password, hash_password
from portal.sync.views import demo_mailbox
from portal.sync.worker import run_worker as run_sync_worker
from portal.workers import start_companions

SANDBOX_PORT = 5001
RECEIVER_PORT = 5002
# The demo looks at each merchant's summary every few seconds, so that a badge's change
# reaches the receiver soon.
DEMO_EVENT_SECONDS = 5.0
DEMO_STAFF = "support@pos.example"
# The demo checks Pongo every three minutes, so that a change made at the sandbox shows soon.
DEMO_SYNC_HOURS = 0.05


def demo_staff() -> str:
    """Create (or re-create) the demo support-admin with a fresh password; returns it."""
    existing = find_staff(DEMO_STAFF)
    password = generate_password()
    if existing is None:
        create_staff(email=DEMO_STAFF, role="support-admin", password=password)
    else:
        existing.password_hash = hash_password(password)
        existing.active = True
    db.session.commit()
    return password


def announce_to_demo_receiver(app: Flask) -> RunningSandbox | None:
    """Send events to a receiver served here, unless PORTAL_POS_WEBHOOK_URL names one."""
    settings = config.of(app)
    if settings.pos_events.url:
        return None
    secret = secrets.token_urlsafe(32)
    running, _ = start_receiver(secret, port=RECEIVER_PORT, echo=click.echo)
    app.extensions[config.EXTENSION] = config.with_values(
        settings,
        {
            "pos_events_url": f"{running.url}{PATH}",
            "pos_events_secret": secret,
            "pos_events_check_seconds": DEMO_EVENT_SECONDS,
            "pos_events_window_seconds": DEMO_EVENT_SECONDS,
        },
    )
    return running


def run_demo(app: Flask, *, host: str, port: int) -> None:
    """Migrate, load the demo data, start the Pongo sandbox and serve the portal."""
    if not config.of(app).demo:
        raise click.ClickException("Set PORTAL_DEMO=1 (as `make demo` does) to run the demo.")
    with app.app_context():
        upgrade()
        count = load_demo_data()
        staff_password = demo_staff()
    click.echo(f" * Demo data loaded through the POS API ({count} requests).")
    sandbox = start_sandbox(DEMO_FIXTURE, controls=True, port=SANDBOX_PORT)
    add_partner_reward(sandbox.url)
    with app.app_context():
        orders = seed_demo_orders(sandbox.url)
    if orders:
        click.echo(f" * Pizzeria Nonna connected, with {orders} orders to look at.")
    receiver = announce_to_demo_receiver(app)
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(app, stop), daemon=True)
    worker.start()
    companions = start_companions(app, stop, 2.0)
    where_events_go = f"{receiver.url}/" if receiver else config.of(app).pos_events.url
    settings = config.of(app)
    # Without an SMTP server, the demo's e-mails are written to instance/mail/.
    mail = settings.mail
    if not mail.smtp_url:
        mail = replace(mail, smtp_url=demo_mailbox(app).as_uri())
    syncer = threading.Thread(
        target=run_sync_worker,
        args=(app, stop),
        kwargs={"settings": replace(settings.sync, interval_hours=DEMO_SYNC_HOURS), "mail": mail},
        daemon=True,
    )
    syncer.start()
    base = f"http://{host}:{port}"
    click.echo(
        "\n".join(
            [
                "",
                f" * Pongo sandbox:        {sandbox.url}",
                " * Relay worker:         running (sends orders posted to the POS API)",
                f" * POS receiver:         {where_events_go}   (events the portal sent)",
                " * Sync worker:          checks Pongo every 3 minutes; e-mails go to",
                f"   {base}/demo/mail",
                f" * POS admin panel:      {base}/demo/pos-admin   <- start here",
                "   Pongo sign-in:        demo@boulangerie-lumiere.fr / pongo-demo",
                f" * Support staff login:  {base}/support/login",
                f"   {DEMO_STAFF} / {staff_password}",
                "",
            ]
        )
    )
    try:
        run_simple(host, port, app, threaded=True)
    finally:
        stop.set()
        worker.join(timeout=10)
        for companion in companions:
            companion.join(timeout=10)
        if receiver is not None:
            receiver.close()
        syncer.join(timeout=10)
        sandbox.close()
