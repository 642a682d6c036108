"""Status badges: one colour per meaning, an icon and a word, neutral for nothing."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.helpers.launch import launch


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


def test_badges_speak_the_language_of_each_request(app: Flask) -> None:
    english, french = app.test_client(), app.test_client()
    launch(english)
    launch(french, extra={"locale": "fr"})
    assert "Not connected" in english.get("/connect/").get_data(as_text=True)
    assert "Non connecté" in french.get("/connect/").get_data(as_text=True)
    assert "Not connected" in english.get("/connect/").get_data(as_text=True)


def test_every_badge_word_is_translated(app: Flask) -> None:
    words = {}
    for locale in ("en", "fr"):
        with app.test_request_context(headers={"Accept-Language": locale}):
            badges = _badges(app)
            words[locale] = [
                *(str(badges.connection_badge(s)) for s in ("connected", "disconnected", None)),
                str(badges.connection_badge("needs_reconnection")),
                *(str(badges.link_badge(s)) for s in ("linked", "unlinked", "renamed", "orphaned")),
                str(badges.link_badge("inactive")),
                *(str(badges.order_badge(s)) for s in ("delivered", "failed", "paused", "pending")),
                *(str(badges.reward_badge(s)) for s in ("ready", "check", "not_redeemable", "x")),
                str(badges.yes_no_badge(True)),
                str(badges.yes_no_badge(False)),
            ]  # "Support" is the same word in French
    untranslated = [en for en, fr in zip(words["en"], words["fr"], strict=True) if en == fr]
    assert untranslated == []
