"""Reading the Products page: its rows and the SKU list its composer offers."""

from __future__ import annotations

import html
import re


def row_refs(page: str) -> list[str]:
    """The product refs listed on a Products page, in order."""
    return re.findall(r'<li id="row-([^"]+)" class="product-row', page)


def composed(page: str) -> str | None:
    """The SKU list the composer offers to copy, or None when it shows none."""
    found = re.search(r'<input type="text" id="composed" class="mono" value="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else None
