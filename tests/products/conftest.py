"""Products page fixtures: merchant M1 connected to the demo Pongo account, its catalogue pushed."""

from __future__ import annotations

import html
import re

from tests.rewards.conftest import merchant_client

__all__ = ["composed", "merchant_client", "row_refs"]


def row_refs(page: str) -> list[str]:
    """The product refs listed on a Products page, in order."""
    return re.findall(r'<li id="row-([^"]+)" class="product-row', page)


def composed(page: str) -> str | None:
    """The SKU list the composer offers to copy, or None when it shows none."""
    found = re.search(r'<input type="text" id="composed" class="mono" value="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else None
