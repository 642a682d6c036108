"""Forms of the Locations page: the links table and the bulk accept of suggestions."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from portal.locations.pages import DEFAULT_THRESHOLD, PER_PAGE

# A form never carries more rows than a page shows (with room for a changed page size).
MAX_ROWS = PER_PAGE * 2


class AcceptForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no types
    """Accept every suggestion shown at or above a confidence the merchant picks."""

    threshold = IntegerField(
        _l("Accept all suggestions at or above (%)"),
        default=DEFAULT_THRESHOLD,
        validators=[InputRequired(), NumberRange(min=1, max=100)],
    )


class LinksForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no types
    """The links table; its rows are read by `link_choices` (one select per location)."""


def row_refs(data: Mapping[str, object]) -> list[str]:
    """The location refs of the rows that were shown, at most one page's worth."""
    getlist = getattr(data, "getlist")  # noqa: B009  # a werkzeug MultiDict
    return [str(ref) for ref in getlist("ref")][:MAX_ROWS]


def link_choices(data: Mapping[str, object]) -> dict[str, str | None]:
    """Location ref -> chosen store slug (None: not linked) for each row that was shown."""
    getlist = getattr(data, "getlist")  # noqa: B009  # a werkzeug MultiDict
    refs, stores = getlist("ref"), getlist("store")
    if len(refs) != len(stores):
        return {}
    return {
        str(ref): (str(slug) or None)
        for ref, slug in list(zip(refs, stores, strict=True))[:MAX_ROWS]
    }
