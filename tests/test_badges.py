"""Status badges: one colour per meaning, an icon and a word, neutral for nothing."""

from __future__ import annotations

from typing import Any

from flask import Flask


def _badges(app: Flask) -> Any:
    return app.jinja_env.get_template("_macros/badges.html").make_module()


def test_needs_reconnection_is_danger_everywhere(app: Flask) -> None:
    with app.test_request_context():
        html = str(_badges(app).connection_badge("needs_reconnection"))
    assert 'class="badge badge-danger"' in html
    assert "Needs reconnection" in html
    assert 'aria-hidden="true">✖<' in html


def test_a_zero_count_is_neutral_whatever_its_meaning(app: Flask) -> None:
    with app.test_request_context():
        badges = _badges(app)
        zero = str(badges.count_badge(0, "danger", "0 orphaned"))
        two = str(badges.count_badge(2, "danger", "2 orphaned"))
    assert "badge-neutral" in zero
    assert "badge-danger" not in zero
    assert "badge-danger" in two


def test_every_badge_has_an_icon_and_a_word(app: Flask) -> None:
    with app.test_request_context():
        badges = _badges(app)
        rendered = [
            *(badges.link_badge(s) for s in ("linked", "unlinked", "renamed", "orphaned", "x")),
            *(badges.order_badge(s) for s in ("delivered", "failed", "paused", "pending")),
            *(badges.reward_badge(s) for s in ("ready", "check", "not_redeemable", "no_sku")),
            badges.yes_no_badge(True),
            badges.yes_no_badge(False),
            badges.support_badge(),
        ]
    for html in map(str, rendered):
        assert html.count('class="badge badge-') == 1
        icon, _, word = html.partition("</span>")
        assert icon.rsplit(">", 1)[1].strip()
        assert word.replace("</span>", "").strip()
    tones = {html.split("badge-")[1].split('"')[0] for html in map(str, rendered)}
    assert tones <= {"success", "warning", "danger", "info", "neutral"}
