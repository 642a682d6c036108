"""The portal as the HTTP bench serves it, plus the floor of every merchant page.

`/bench/floor` is a merchant page with nothing of its own: the session, the merchant and
the layout (header, navigation, banners, footer) around an empty main. No page can cost
less; its figure, beside /healthz, shows how much of the limit the layout already takes.
"""

from __future__ import annotations

from flask import Flask, render_template
from jinja2 import Template

from portal import create_app
from portal.access import merchant_required

FLOOR = "/bench/floor"
_PAGE = (
    '{% extends "base.html" %}{% block title %}Floor{% endblock %}{% block content %}{% endblock %}'
)


def add_floor(app: Flask) -> Flask:
    """Register the floor page on `app`; its template is compiled once, as a page's is."""
    page: Template = app.jinja_env.from_string(_PAGE)

    @merchant_required
    def floor() -> str:
        return render_template(page)

    app.add_url_rule(FLOOR, "bench_floor", floor)
    return app


def floor_app() -> Flask:
    """The portal configured from the environment, as `wsgi.py` makes it, with the floor page."""
    return add_floor(create_app())
