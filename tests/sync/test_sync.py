"""Scheduled syncs against the sandbox: changes recorded, listed, filtered and mailed."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client import REGISTRY
from sqlalchemy import select

from portal.extensions import db
from portal.models.audit import AuditEvent
from portal.models.connection import PongoConnection
from portal.models.drift import DriftChange, SyncState
from portal.models.merchant import Merchant
from portal.sync.compare import ChangeKind
from tests.helpers.api import Api
from tests.helpers.launch import launch
from tests.helpers.locations import post_links
from tests.helpers.pages import csrf_token
from tests.helpers.sandbox import revoke_token
from tests.helpers.staff import add_staff, sign_in
from tests.helpers.sync import (
    CHEF,
    OWNER,
    POS_ADMIN,
    change_skus,
    change_stores,
    changes_of,
    connect_two_merchants,
    demo_account,
    make_due,
    run_sync,
)
from tests.sync.conftest import Mailbox


def sample(name: str, **labels: str) -> float:
    """A metric's current value in the process's Prometheus registry (0 before its first use)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def change_things_at_pongo(pongo: httpx.Client) -> None:
    """Rename a store, delete another, add one; change a reward's SKUs, break another."""
    change_stores(
        pongo,
        gone={"lumiere-lyon-2"},
        renamed={"lumiere-paris-11": "Lumière République"},
        new=[{"slug": "lumiere-rennes", "name": "Lumière Rennes", "public_id": "sto_rennes"}],
    )
    change_skus(pongo, {"rew_0ece003f2e": "BAK-001,BAK-002", "rew_1a7f3c9d02": "ZLT-88213"})


def test_sync_records_changes_lists_them_filters_them_and_mails_one_digest_per_merchant(
    app: Flask, pongo: httpx.Client, api: Api, mailbox: tuple[Mailbox, int]
) -> None:
    box = mailbox[0]
    first, second = connect_two_merchants(app, pongo, api)
    assert "2 merchant(s) checked, 0 failed, 0 change(s)" in run_sync(app)
    token = csrf_token(first, "/locations")
    answer = post_links(first, token, {"L1": "lumiere-paris-11", "L2": "lumiere-lyon-2"})
    assert answer.status_code == 302

    change_things_at_pongo(pongo)
    assert "0 merchant(s) checked" in run_sync(app)  # not due yet: the interval has not passed
    assert changes_of(app, "M1") == []
    make_due(app)
    output = run_sync(app)
    assert "2 merchant(s) checked, 0 failed" in output
    assert "2 e-mail(s) sent" in output

    assert changes_of(app, "M1") == [
        (ChangeKind.STORE_GONE, "lumiere-lyon-2"),
        (ChangeKind.STORE_RENAMED, "lumiere-paris-11"),
        (ChangeKind.STORE_NEW, "lumiere-rennes"),
        # rew_0ece003f2e's new SKUs leave it ready: not news.
        (ChangeKind.REWARD_SKUS_CHANGED, "rew_1a7f3c9d02"),
        (ChangeKind.REWARD_NOT_REDEEMABLE, "rew_1a7f3c9d02"),
    ]
    with app.app_context():
        skus = db.session.scalar(
            select(DriftChange.details).where(
                DriftChange.subject == "rew_1a7f3c9d02",
                DriftChange.kind == ChangeKind.REWARD_SKUS_CHANGED,
            )
        )
    # The old and new SKU lists are kept: a review given for the old list no longer holds.
    assert skus is not None
    assert skus["new"] == "ZLT-88213"
    assert skus["old"] != "ZLT-88213"
    # M2 links nothing and has no catalogue: the new store is news for it, the rewards are not.
    assert (ChangeKind.STORE_NEW, "lumiere-rennes") in changes_of(app, "M2")
    assert (ChangeKind.STORE_GONE, "lumiere-lyon-2") not in changes_of(app, "M2")

    # The overview lists each change as a sentence linking to its row.
    page = first.get("/").get_data(as_text=True)
    assert "Changed at Pongo since your last visit" in page
    assert "Lumière Lyon Bellecour" in page
    assert 'href="/locations#row-L2"' in page
    assert 'href="/rewards#row-rew_1a7f3c9d02"' in page
    assert "renamed from “Lumière Paris Oberkampf” to “Lumière République”" in page
    french = second.get("/").get_data(as_text=True)
    assert "Modifié chez Pongo depuis votre dernière visite" in french

    # The Locations and Rewards pages say when Pongo was last checked.
    assert "Checked at Pongo" in first.get("/locations").get_data(as_text=True)
    assert "Checked at Pongo" in first.get("/rewards").get_data(as_text=True)

    # One e-mail per merchant, in its admin's language, linking to the POS admin panel.
    assert len(box.messages) == 2
    [english] = box.to(OWNER)
    assert english["Subject"] == "Pongo: 3 changes need your attention"
    body = english.get_content()
    assert "Lumière Lyon Bellecour" in body
    assert "Lumière Rennes" in body
    assert "Pain au chocolat offert" in body
    assert "renamed" not in body  # news only, not for the e-mail
    assert POS_ADMIN in body
    assert "/launch" not in body
    [mail_fr] = box.to(CHEF)
    assert mail_fr["Subject"] == "Pongo : 1 modification demande votre attention"
    assert "Lumière Rennes" in mail_fr.get_content()
    assert POS_ADMIN + "?m=M2" in mail_fr.get_content()

    # Support staff find both merchants under "new problems in the last 24 h".
    add_staff(app, "alex@pos.example")
    staff = app.test_client()
    assert sign_in(staff).status_code == 302
    listing = staff.get("/support/?problem=new_problems").get_data(as_text=True)
    assert "Merchants found: 2" in listing
    assert "New problems in the last 24 h" in listing
    last_syncs = re.findall(r'class="last-sync"><time datetime="[^"]+">([^<]+)</time>', listing)
    assert len(last_syncs) == 2
    assert all(re.fullmatch(r"\d+ seconds? ago", when) for when in last_syncs)


def test_a_revoked_token_is_recorded_and_mailed_once(
    app: Flask, pongo: httpx.Client, api: Api, mailbox: tuple[Mailbox, int]
) -> None:
    box = mailbox[0]
    connect_two_merchants(app, pongo, api)
    synced_before = sample("portal_sync_merchants_synced_total")
    rejected_before = sample("portal_sync_failures_total", reason="needs_reconnection")
    run_sync(app)
    assert sample("portal_sync_merchants_synced_total") == synced_before + 2
    assert sample("portal_sync_oldest_age_seconds") < 60
    revoke_token(pongo)
    make_due(app)
    assert "2 merchant(s) checked, 2 failed" in run_sync(app)
    assert changes_of(app, "M1") == [(ChangeKind.RECONNECTION_NEEDED, "M1")]
    assert sample("portal_sync_failures_total", reason="needs_reconnection") == rejected_before + 2
    with app.app_context():
        statuses = set(db.session.scalars(select(PongoConnection.status)))
        failures = set(db.session.scalars(select(SyncState.last_failure)))
    assert statuses == {"needs_reconnection"}
    assert failures == {"needs_reconnection"}
    [english] = box.to(OWNER)
    assert english["Subject"] == "Pongo: 1 change needs your attention"
    assert "reconnect Pongo" in english.get_content()
    [french] = box.to(CHEF)
    assert "reconnectez Pongo" in french.get_content()
    # A merchant that needs reconnection is not synced again until it reconnects.
    make_due(app)
    assert "0 merchant(s) checked" in run_sync(app)
    assert len(box.messages) == 2


def test_changes_shown_once_are_not_new_at_the_next_visit(
    app: Flask, pongo: httpx.Client, api: Api
) -> None:
    first, _second = connect_two_merchants(app, pongo, api)
    run_sync(app)
    change_things_at_pongo(pongo)
    make_due(app)
    run_sync(app)
    assert "Changed at Pongo since your last visit" in first.get("/").get_data(as_text=True)
    # The next visit still lists what changed during the previous one; the one after does not.
    launch(first, extra={"return_url": POS_ADMIN})
    assert "Changed at Pongo since your last visit" in first.get("/").get_data(as_text=True)
    launch(first, extra={"return_url": POS_ADMIN})
    assert "Changed at Pongo since your last visit" not in first.get("/").get_data(as_text=True)


def test_emails_turned_off_are_not_sent_and_the_switch_is_audited(
    app: Flask, pongo: httpx.Client, api: Api, mailbox: tuple[Mailbox, int]
) -> None:
    box = mailbox[0]
    first, _second = connect_two_merchants(app, pongo, api)
    run_sync(app)
    page = first.get("/connect/").get_data(as_text=True)
    assert "E-mails on" in page
    token = csrf_token(first, "/connect/")
    assert first.post("/connect/emails", data={"csrf_token": token}).status_code == 302
    assert "E-mails off" in first.get("/connect/").get_data(as_text=True)
    change_things_at_pongo(pongo)
    make_due(app)
    assert "1 e-mail(s) sent" in run_sync(app)
    assert box.to(OWNER) == []
    assert len(box.to(CHEF)) == 1
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "drift.emails"))
        assert event is not None
        assert event.actor == OWNER
        assert event.details == {"old": "on", "new": "off"}


def test_nothing_is_mailed_without_an_smtp_url(
    database_url: str, sandbox: object, pongo: httpx.Client
) -> None:
    from tests.helpers.api import Api as PosApi
    from tests.helpers.api import new_key
    from tests.helpers.apps import make_app

    app = make_app(database_url, pongo_base_url=sandbox.url)  # type: ignore[attr-defined]
    connect_two_merchants(app, pongo, PosApi(app.test_client(), new_key(app)))
    run_sync(app)
    change_things_at_pongo(pongo)
    make_due(app)
    output = run_sync(app)
    assert "0 e-mail(s) sent" in output
    assert changes_of(app, "M1") != []


def test_the_demo_writes_its_emails_to_a_folder_and_lists_them(
    database_url: str, sandbox: object, pongo: httpx.Client, tmp_path: Path
) -> None:
    from tests.helpers.api import Api as PosApi
    from tests.helpers.api import new_key
    from tests.helpers.apps import make_app

    folder = tmp_path / "mail"
    app = make_app(
        database_url,
        pongo_base_url=sandbox.url,  # type: ignore[attr-defined]
        demo=True,
        mail_smtp_url=folder.as_uri(),
    )
    connect_two_merchants(app, pongo, PosApi(app.test_client(), new_key(app)))
    run_sync(app)
    change_things_at_pongo(pongo)
    make_due(app)
    assert "2 e-mail(s) sent" in run_sync(app)
    assert len(list(folder.glob("*.eml"))) == 2
    page = app.test_client().get("/demo/mail").get_data(as_text=True)
    assert "Pongo: 2 changes need your attention" in page  # nothing linked: no link orphaned
    assert "Pongo : 1 modification demande votre attention" in page
    assert f"To: {OWNER}" in page


def test_the_demo_mailbox_is_not_served_outside_the_demo(client: FlaskClient) -> None:
    assert client.get("/demo/mail").status_code == 404


def test_a_review_lapses_when_a_scheduled_sync_finds_the_rewards_skus_changed(
    app: Flask, pongo: httpx.Client, api: Api
) -> None:
    """The merchant reviewed a reward; its SKUs change in Pongo; the next sync brings it back."""
    from portal.overview.services import setup_guide
    from tests.helpers.rewards import mark

    first, _second = connect_two_merchants(app, pongo, api)
    run_sync(app)

    def step() -> tuple[int, str | None]:
        with app.app_context():
            merchant = db.session.scalar(select(Merchant).where(Merchant.ref == "M1"))
            assert merchant is not None
            found = setup_guide(merchant).rewards
            return found.to_review, found.first_to_review

    waiting, public_id = step()
    assert public_id is not None
    assert mark(first, public_id, "other_partner").status_code == 302
    assert step()[0] == waiting - 1

    [skus] = [r["external_id"] for r in demo_account()["rewards"] if r["public_id"] == public_id]
    change_skus(pongo, {public_id: (skus or "") + ",LS_99999"})
    make_due(app)
    run_sync(app)

    assert (ChangeKind.REWARD_SKUS_CHANGED, public_id) in changes_of(app, "M1")
    assert step() == (waiting, public_id)
    page = first.get("/rewards").get_data(as_text=True)
    assert "the SKUs of this reward changed in Pongo since" in page


def test_a_stale_tab_turning_the_emails_off_again_says_they_already_were(
    app: Flask, pongo: httpx.Client, api: Api
) -> None:
    first, _second = connect_two_merchants(app, pongo, api)
    token = csrf_token(first, "/connect/")
    # Two tabs drawn with the e-mails on: each offers "Turn the e-mails off".
    assert first.post("/connect/emails", data={"csrf_token": token}).status_code == 302
    page = first.post(
        "/connect/emails", data={"csrf_token": token}, follow_redirects=True
    ).get_data(as_text=True)
    assert "The e-mails were already turned off elsewhere since this page was opened." in page
    assert "E-mails off" in page
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "drift.emails"))
        assert len(list(events)) == 1
