"""Every merchant page shows what it showed before: the render path may get faster, not different.

Each page of a seeded merchant is compared with its expected rendering in tests/perf/pages/.
What changes from one run to the next (the form token, the moments written from the clock)
is replaced by a placeholder first. After a deliberate change to what a page shows,
`PORTAL_UPDATE_PAGES=1 pytest tests/perf/test_page_content.py` writes the new renderings;
review their diff like code.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from flask import Flask

from tests.helpers.seed import Size, api_key, open_session, seed_merchant
from tests.perf.test_page_cost import merchant_pages

EXPECTED = Path(__file__).parent / "pages"
# More rows than fit some pages' first screen, few enough for readable expected files.
SIZE = Size(locations=14, stores=15, products=40, rewards=12, orders=26)
VOLATILE = (
    (re.compile(r'(name="csrf_token" value=")[^"]+'), r"\1CSRF"),
    (re.compile(r"\b[A-Z][a-z]{2} \d{1,2}, \d{4}(, \d{1,2}:\d{2}\s?[AP]M)?"), "DATE"),
    (re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\s?[AP]M\b"), "TIME"),
    (re.compile(r"\b(\d+|an?) (second|minute|hour|day)s? ago\b"), "AGO"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(\+00:00|Z)?"), "ISO"),
)


def normalised(page: str) -> str:
    """The page with each run's own values replaced by placeholders."""
    for pattern, placeholder in VOLATILE:
        page = pattern.sub(placeholder, page)
    return page


def file_of(url: str) -> Path:
    """Where the expected rendering of `url` is kept."""
    name = re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "overview"
    return EXPECTED / f"{name}.expected"


def test_every_merchant_page_shows_its_expected_content(app: Flask) -> None:
    token = open_session(app, seed_merchant(app, api_key(app), "SHOWN", SIZE))
    client = app.test_client()
    client.set_cookie("portal_session", token)
    pages = merchant_pages(app)
    assert {"/", "/locations", "/rewards", "/orders", "/products"} <= set(pages)
    for url in pages:
        answer = client.get(url)
        assert answer.status_code == 200, url
        seen = normalised(answer.get_data(as_text=True))
        if os.environ.get("PORTAL_UPDATE_PAGES"):
            file_of(url).write_bytes(seen.encode())
        expected = file_of(url).read_bytes().decode()
        assert seen == expected, f"{url} differs from {file_of(url).name}"
