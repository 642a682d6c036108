"""Texts of the Rewards rows that take values: translated once per page, filled in per row.

In a template, each `_()` inside a loop looks the catalogue up again and copies the loop's
context; a page of 25 rewards has hundreds of SKUs. The template fills these formats in
with `%`, which escapes each value exactly as Jinja's own gettext does.
"""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup


def row_formats() -> dict[str, Markup]:
    """The formats the rows fill in, in the merchant's language, by the name the template uses."""
    texts = {
        "points": _("%(points)d points"),
        "did_you_mean": _("Did you mean %(sku)s?"),
        "replace": _(
            "To fix: in Pongo, replace %(typed)s with %(meant)s, or paste the corrected list below."
        ),
    }
    # The catalogue's words are the portal's own text: Jinja's gettext marks them safe too.
    return {name: Markup(text) for name, text in texts.items()}  # noqa: S704
