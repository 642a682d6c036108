"""Merchants review flagged rewards; a review holds for the SKUs it was given for, audited."""

from __future__ import annotations

import html
from typing import Any

import httpx
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models.audit import AuditEvent
from portal.models.merchant import Merchant
from portal.models.rewards import ReviewedReward
from portal.overview.services import setup_guide
from tests.helpers.pages import csrf_token, text_of
from tests.helpers.rewards import Fetch, drawn_review, mark, refresh, reward, row_of, set_rewards
from tests.helpers.staff import AGENT, add_staff, sign_in, start_view

REWARDS = [
    reward("rew_ready", "Croissant offert", "BAK-001"),
    reward("rew_partner", "Café offert", "ZLT-88213,LS_4471"),
    reward("rew_paid", "Cappuccino offert", "CAF-004"),
    reward("rew_none", "Atelier pâtisserie", None),
]


def unmark(client: FlaskClient, public_id: str) -> Any:
    """Press "Undo the review" on a reward's row."""
    data = {
        "csrf_token": csrf_token(client, "/rewards"),
        "version": drawn_review(client, public_id),
    }
    return client.post(f"/rewards/{public_id}/unreview", data=data, follow_redirects=True)


def step(app: Flask) -> Any:
    """The Rewards step of M1's setup guide."""
    with app.app_context():
        merchant = db.session.scalar(select(Merchant).where(Merchant.ref == "M1"))
        assert merchant is not None
        return setup_guide(merchant).rewards


def audit(app: Flask, action: str) -> list[AuditEvent]:
    """Audit events of one action, oldest first."""
    with app.app_context():
        found = list(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )
        db.session.expunge_all()
        return found


def test_step_counts_every_reward_not_ready_and_points_at_the_first(
    fetch: Fetch, app: Flask
) -> None:
    fetch(*REWARDS)
    found = step(app)
    # "No SKU" rewards need a review too: setup is complete only when every reward is
    # ready or reviewed (SPEC 13).
    assert (found.total, found.to_review, found.first_to_review) == (4, 3, "rew_partner")
    assert not found.done


def test_step_is_not_done_before_the_rewards_are_fetched(client: FlaskClient, app: Flask) -> None:
    from tests.helpers.launch import launch

    launch(client)
    found = step(app)
    assert (found.synced, found.total, found.done) == (False, 0, False)


def test_reviewing_every_flagged_reward_completes_the_step_and_is_audited(
    merchant_client: FlaskClient, fetch: Fetch, app: Flask
) -> None:
    fetch(*REWARDS)
    answer = mark(
        merchant_client, "rew_partner", "other_partner", "Deliveroo codes", status="not_redeemable"
    )
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/rewards?status=not_redeemable#row-rew_partner"
    page = merchant_client.get("/rewards").get_data(as_text=True)
    assert "“Café offert” is marked as reviewed." in html.unescape(page)
    row = html.unescape(text_of(row_of(page, "rew_partner")))
    # One state per row: the review, not the check it answers.
    assert "Not redeemable" not in row
    assert "Reviewed" in row
    assert "Only for another partner's system" in row
    assert "Deliveroo codes" in row
    assert "Undo the review" in row
    assert step(app).first_to_review == "rew_paid"
    mark(merchant_client, "rew_paid", "paid_options_charged")
    mark(merchant_client, "rew_none", "not_a_product")
    assert step(app).done
    events = audit(app, "reward.review")
    assert [e.details["public_id"] for e in events] == ["rew_partner", "rew_paid", "rew_none"]
    assert events[0].details == {
        "public_id": "rew_partner",
        "name": "Café offert",
        "reason": "other_partner",
        "external_id": "ZLT-88213,LS_4471",
    }
    assert events[0].reason == "Deliveroo codes"
    assert events[0].actor_kind == "merchant_user"


def test_reviewed_rewards_have_their_own_filter_and_leave_the_status_counts(
    merchant_client: FlaskClient, fetch: Fetch
) -> None:
    fetch(*REWARDS)
    mark(merchant_client, "rew_partner", "other_partner")
    page = html.unescape(merchant_client.get("/rewards").get_data(as_text=True))
    assert "Not redeemable (0)" in page
    assert "Reviewed (1)" in page
    reviewed = merchant_client.get("/rewards?status=reviewed").get_data(as_text=True)
    assert reviewed.count('<tr id="row-') == 1
    assert 'id="row-rew_partner"' in reviewed
    assert 'aria-current="page">Reviewed (1)' in reviewed
    not_redeemable = merchant_client.get("/rewards?status=not_redeemable").get_data(as_text=True)
    assert "No reward matches." in not_redeemable
    # "All" still lists it.
    assert 'id="row-rew_partner"' in merchant_client.get("/rewards").get_data(as_text=True)


def test_undoing_a_review_brings_the_reward_back_and_is_audited(
    merchant_client: FlaskClient, fetch: Fetch, app: Flask
) -> None:
    fetch(*REWARDS)
    mark(merchant_client, "rew_paid", "paid_options_charged")
    assert step(app).to_review == 2
    page = unmark(merchant_client, "rew_paid").get_data(as_text=True)
    assert "The review of “Cappuccino offert” was withdrawn." in html.unescape(page)
    assert "Mark as reviewed" in row_of(page, "rew_paid")
    assert step(app).to_review == 3
    [event] = audit(app, "reward.unreview")
    assert event.details == {
        "public_id": "rew_paid",
        "name": "Cappuccino offert",
        "reason": "paid_options_charged",
    }
    with app.app_context():
        assert db.session.scalars(select(ReviewedReward)).all() == []


def test_review_lapses_when_the_skus_change_in_pongo_and_survives_an_unchanged_refresh(
    merchant_client: FlaskClient, pongo: httpx.Client, app: Flask, fetch: Fetch
) -> None:
    fetch(*REWARDS)
    mark(merchant_client, "rew_partner", "other_partner")
    mark(merchant_client, "rew_paid", "paid_options_charged")
    refresh(merchant_client)
    assert step(app).to_review == 1  # only the reward without SKU
    changed = [
        r if r["public_id"] != "rew_partner" else {**r, "external_id": "ZLT-88213"} for r in REWARDS
    ]
    set_rewards(pongo, changed)
    # Nothing changes before the merchant refreshes: the page shows what was last fetched.
    assert step(app).to_review == 1
    page = refresh(merchant_client).get_data(as_text=True)
    found = step(app)
    assert (found.to_review, found.first_to_review) == (2, "rew_partner")
    row = html.unescape(text_of(row_of(page, "rew_partner")))
    assert "ended: the SKUs of this reward changed in Pongo since" in row
    assert "Mark as reviewed" in row
    assert "Reviewed (1)" in html.unescape(page)
    # Reviewed again, it holds for the new SKUs.
    mark(merchant_client, "rew_partner", "other_partner")
    assert step(app).to_review == 1


def test_other_reason_needs_a_note_and_ready_rewards_need_no_review(
    merchant_client: FlaskClient, fetch: Fetch, app: Flask
) -> None:
    fetch(*REWARDS)
    answer = mark(merchant_client, "rew_partner", "other")
    page = merchant_client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Say in a few words why this reward is fine as it is." in page
    assert mark(merchant_client, "rew_partner", "made-up").status_code == 302
    page = merchant_client.get("/rewards").get_data(as_text=True)
    assert "Mark as reviewed" not in row_of(page, "rew_ready")
    mark(merchant_client, "rew_ready", "other_partner")
    assert "“Croissant offert” is ready: it needs no review." in html.unescape(
        merchant_client.get("/rewards").get_data(as_text=True)
    )
    assert mark(merchant_client, "rew_unknown", "other_partner").status_code == 404
    with app.app_context():
        assert db.session.scalars(select(ReviewedReward)).all() == []
    assert audit(app, "reward.review") == []


def test_one_merchant_cannot_review_another_merchants_reward(fetch: Fetch, app: Flask) -> None:
    from tests.helpers.launch import launch

    fetch(*REWARDS)
    other = app.test_client()
    launch(other, merchant_ref="M2", merchant_name="Pizzeria Nonna")
    assert mark(other, "rew_partner", "other_partner").status_code == 404
    assert step(app).to_review == 3


def test_support_read_only_view_cannot_review(fetch: Fetch, app: Flask) -> None:
    fetch(*REWARDS)
    add_staff(app, AGENT)
    agent = app.test_client()
    assert sign_in(agent).status_code == 302
    assert start_view(agent, "M1").status_code == 302
    assert 'id="row-rew_partner"' in agent.get("/rewards").get_data(as_text=True)
    assert mark(agent, "rew_partner", "other_partner").status_code == 403
    assert unmark(agent, "rew_partner").status_code == 403
    with app.app_context():
        assert db.session.scalars(select(ReviewedReward)).all() == []
    refused = audit(app, "support.action.refused")
    assert [e.details["endpoint"] for e in refused] == ["rewards.review", "rewards.unreview"]


def test_every_problem_says_where_and_how_to_fix_it(fetch: Fetch, app: Flask) -> None:
    page = fetch(
        *REWARDS,
        reward("rew_typo", "Baguette tradition", "BAK-0O1"),
        reward("rew_many", "Code partenaires", ",".join(f"ZLT-{n:05d}" for n in range(300))),
        reward("rew_grow", "Viennoiserie", "BAK-001,bak 2"),
    )
    partner = html.unescape(text_of(row_of(page, "rew_partner")))
    assert (
        "add the SKU of your POS product to this reward in Pongo, after a comma, "
        "keeping the other codes" in partner
    )
    assert "Rewards → this reward → the SKU field" in partner
    paid = html.unescape(text_of(row_of(page, "rew_paid")))
    assert "point the reward at a product without paid options" in paid
    assert "make sure your tills charge the options" in paid
    none = html.unescape(text_of(row_of(page, "rew_none")))
    assert "Type the SKU of your POS product in that field" in none
    typo = row_of(page, "rew_typo")
    # The differing character, marked and named: a letter O typed for a digit zero.
    assert '<mark><span class="glyph" title="letter O">O</span>' in typo
    assert '<mark><span class="glyph" title="digit zero">0</span>' in typo
    assert "Check before copying: the suggestion is a Croissant" in html.unescape(typo)
    assert "replace BAK-0O1 with BAK-001" in typo
    many = row_of(page, "rew_many")
    assert '<details class="other-systems">' in many
    assert "300 SKUs of other systems" in many
    assert many.count("<li") == 300  # all inside the one collapsed line
    grow = html.unescape(text_of(row_of(page, "rew_grow")))
    assert "With the corrected list, the reward becomes a list" in grow


def test_fixes_and_review_form_are_in_french_for_a_french_merchant(
    merchant_client: FlaskClient, fetch: Fetch
) -> None:
    from tests.helpers.launch import launch

    fetch(*REWARDS, reward("rew_typo", "Baguette tradition", "BAK-0O1"))
    mark(merchant_client, "rew_paid", "paid_options_charged")
    launch(merchant_client, extra={"locale": "fr"})
    page = html.unescape(merchant_client.get("/rewards").get_data(as_text=True))
    assert "Marquer comme vérifiée" in page
    assert "Vérifiée (1)" in page
    assert "Les options payantes sont encaissées en caisse" in page
    assert 'title="lettre O"' in page
    assert "1 SKU d’un autre système" not in page
    assert "2 SKU d’autres systèmes" in page
    assert "en gardant les autres codes" in page
