"""A launch's `return_url` never leaves the POS admin panel's origin and path (SEC-14, SEC-35)."""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from portal.extensions import db
from portal.models.session import WebSession
from portal.urls import under_origin
from tests.helpers.apps import make_app
from tests.helpers.launch import launch

ORIGIN = "https://pos.example/admin"
SEGMENTS = [
    "admin", "administrator", "admin.", "other", "x", "", ".", "..", "%2e", "%2E", "%2e%2e",
    ".%2E", "%2E.", "%2f", "%2F..", "%5c", "\\", "..\\", "\\..", "a%20b", "%41dmin", "?q=1", "#f",
]  # fmt: skip


def _browser_path(url: str) -> str:
    """Where a browser ends up: encoded dots are dots, dot segments are resolved."""
    path = re.sub("%2e", ".", urlsplit(url).path, flags=re.IGNORECASE)
    return urlsplit(urljoin("https://pos.example/", path)).path


def _inside(path: str) -> bool:
    return path == "/admin" or path.startswith("/admin/")


@pytest.mark.parametrize(
    "escape",
    [
        "https://pos.example/admin/../other",
        "https://pos.example/admin/%2e%2e/other",
        "https://pos.example/admin/.%2E/other",
        "https://pos.example/admin/%2E%2E/other",
        "https://pos.example/admin/x/../../other",
        "https://pos.example/admin\\..\\other",
        "https://pos.example/admin/..\\other",
        "https://pos.example/admin/%2f..%2fother",
        "https://pos.example/admin/%5c..%5cother",
        "https://pos.example/administrator",
        "https://pos.example/admin../other",
        "https://pos.example/admin/..",
        "http://[::1/",
        "https://pos.example:99999/admin",
        "https://pos.example\\@evil.example/admin",
        "https:/\\evil.example/admin",
        " https://pos.example/admin",
    ],
)
def test_escapes_from_the_admin_path_are_refused(escape: str) -> None:
    assert under_origin(escape, ORIGIN) is None


def test_paths_inside_are_kept_normalised() -> None:
    assert under_origin("https://pos.example/admin", ORIGIN) == "https://pos.example/admin"
    assert under_origin("https://pos.example/admin/", ORIGIN) == "https://pos.example/admin/"
    assert under_origin("https://pos.example/admin/x/../y?a=1#f", ORIGIN) == (
        "https://pos.example/admin/y?a=1#f"
    )


@given(
    st.sampled_from(["", "admin/", "admin", "admin/x/"]),
    st.lists(st.sampled_from(SEGMENTS), max_size=6),
    st.sampled_from(["", "/"]),
)
def test_any_accepted_url_stays_under_the_admin_path(
    start: str, segments: list[str], tail: str
) -> None:
    url = "https://pos.example/" + start + "/".join(segments) + tail
    accepted = under_origin(url, ORIGIN)
    if not _inside(_browser_path(url)):
        assert accepted is None, url
    if accepted is not None:
        parts = urlsplit(accepted)
        assert (parts.scheme, parts.netloc) == ("https", "pos.example")
        assert "\\" not in accepted
        assert not {".", ".."} & {unquote(s) for s in parts.path.split("/")}
        assert _inside(parts.path)
        assert _inside(_browser_path(accepted))


@given(st.text(max_size=80))
def test_any_text_is_refused_or_kept_without_an_error(text: str) -> None:
    for url in (text, "https://pos.example/admin/" + text, "http://" + text):
        accepted = under_origin(url, ORIGIN)
        assert accepted is None or _inside(_browser_path(accepted))


@pytest.mark.parametrize("return_url", ["http://[::1/", "https://pos.example/admin/%2e%2e/x"])
def test_launch_with_a_bad_return_url_opens_the_portal_without_it(
    database_url: str, return_url: str
) -> None:
    app: Flask = make_app(database_url, pos_admin_origin=ORIGIN)
    client = app.test_client()
    response = launch(client, extra={"return_url": return_url})
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.scalar(select(WebSession))
        assert stored is not None
        assert "return_url" not in stored.data
