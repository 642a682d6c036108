"""What Pongo and the merchant typed shows on the Rewards rows as text, never as markup."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.helpers.rewards import Fetch, mark, reward, row_of


def test_markup_typed_in_a_reward_shows_as_text(fetch: Fetch) -> None:
    page = fetch(reward("rew_html", '<b>Croissant</b> & "co"', "bak 001, <i>ZLT</i>, BAK-002"))
    row = row_of(page, "rew_html")
    assert "<b>" not in row
    assert "<i>" not in row
    assert "&lt;b&gt;Croissant&lt;/b&gt; &amp; &#34;co&#34;" in row
    assert "&lt;i&gt;ZLT&lt;/i&gt;" in row
    # The corrected list keeps the other system's code, escaped inside its attribute too.
    assert 'value="BAK-001,&lt;i&gt;ZLT&lt;/i&gt;,BAK-002"' in row


def test_markup_in_a_review_note_shows_as_text(fetch: Fetch, merchant_client: FlaskClient) -> None:
    fetch(reward("rew_partner", "Café offert", "ZLT-88213"))
    mark(merchant_client, "rew_partner", "other", note="<script>alert(1)</script>")
    row = row_of(merchant_client.get("/rewards").get_data(as_text=True), "rew_partner")
    assert "<script>" not in row
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in row
