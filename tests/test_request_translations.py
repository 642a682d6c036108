"""Templates translate with the catalogue of the locale in force at each call."""

from __future__ import annotations

from flask import Flask, render_template_string
from flask_babel import force_locale, refresh

PAGE = (
    "{{ _('Overview') }} · {{ ngettext('%(num)d reward needs your review',"
    " '%(num)d rewards need your review', 2) }}"
)


def test_a_template_follows_the_locale_forced_then_restored(app: Flask) -> None:
    with app.test_request_context("/?lang=fr"):
        assert (
            render_template_string(PAGE)
            == "Vue d’ensemble · 2 récompenses attendent votre vérification"
        )
        with force_locale("en"):
            assert render_template_string(PAGE) == "Overview · 2 rewards need your review"
        assert render_template_string(PAGE).startswith("Vue d’ensemble")


def test_a_template_follows_a_refreshed_locale(app: Flask) -> None:
    with app.test_request_context("/?lang=fr") as context:
        assert render_template_string(PAGE).startswith("Vue d’ensemble")
        context.request.args = context.request.args.copy()
        context.request.args["lang"] = "en"
        refresh()
        assert render_template_string(PAGE).startswith("Overview")


def test_a_translated_text_escapes_its_values(app: Flask) -> None:
    with app.test_request_context("/?lang=en"):
        shown = render_template_string("{{ _('Welcome, %(name)s', name='<b>') }}")
    assert shown == "Welcome, &lt;b&gt;"
