"""Forms of the Locations page: the links table and the bulk accept of suggestions."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from portal.locations.operations import RowEdit
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
    """The links table; its rows are read by `row_edits` (one select per location)."""


def _version(text: object) -> int:
    """A row's link version as the page carried it; -1 (never current) when unreadable."""
    value = str(text)
    return int(value) if value.isdigit() and len(value) < 10 else -1


def row_versions(data: Mapping[str, object]) -> dict[str, int]:
    """Location ref -> link version the page was drawn with, at most one page's worth."""
    getlist = getattr(data, "getlist")  # noqa: B009  # a werkzeug MultiDict
    refs, versions = getlist("ref"), getlist("version")
    if len(refs) != len(versions):
        return {}
    return {str(ref): _version(v) for ref, v in list(zip(refs, versions, strict=True))[:MAX_ROWS]}


def row_edits(data: Mapping[str, object]) -> dict[str, RowEdit]:
    """Location ref -> the row as submitted: the chosen store and the link it was drawn with.

    A slug is a store, NO_STORE the "no Pongo store" choice, "" not linked. A form whose
    lists do not line up (a row without its version) is read as no row at all.
    """
    getlist = getattr(data, "getlist")  # noqa: B009  # a werkzeug MultiDict
    refs, stores, drawn = getlist("ref"), getlist("store"), getlist("was")
    versions = getlist("version")
    if not len(refs) == len(stores) == len(drawn) == len(versions):
        return {}
    rows = list(zip(refs, stores, drawn, versions, strict=True))[:MAX_ROWS]
    return {
        str(ref): RowEdit(choice=str(slug) or None, drawn=str(was) or None, version=_version(v))
        for ref, slug, was, v in rows
    }
