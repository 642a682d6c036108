"""The rows of the Locations page's links table, written in one pass of Python.

A Jinja loop pays for a context lookup, an escape and an output write per value, and each
row holds some twenty values: fifty rows cost more than the rest of the page. The markup
is the one the template wrote, byte for byte, and every value is escaped; the words are
translated once per page through the template's own message ids, made markup as the
templates' gettext makes them (the catalogue is ours, the values put in are escaped).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

from markupsafe import Markup, escape

from portal.i18n import request_translations
from portal.locations.pages import LocationsPage, Row
from portal.locations.states import NO_STORE
from portal.locations.stores import Store
from portal.locations.tablets import field_name
from portal.pongo.errors import N_
from portal.rows import escaped


class RowWords(NamedTuple):
    """The words every row repeats; those with %(...)s are formats for `%` with a mapping."""

    status: Markup
    store: Markup
    tablet: Markup
    suggestion: Markup
    not_linked_choice: Markup
    no_store_choice: Markup
    store_for: Markup
    match: Markup
    renamed: Markup
    orphaned: Markup
    no_store_hint: Markup
    inactive_hint: Markup
    gone: Markup
    now: Markup
    no_store: Markup
    not_linked: Markup
    tablet_error: Markup


# The words put in as they are: Jinja's gettext formats even these, so "%%" would read "%".
_WORDS = {
    "status": N_("Status"),
    "store": N_("Pongo store"),
    "tablet": N_("Pongo tablet"),
    "suggestion": N_("Suggestion"),
    "not_linked_choice": N_("— Not linked —"),
    "no_store_choice": N_("— No Pongo store (e.g. a central kitchen) —"),
    "no_store_hint": N_("Orders from this location are not sent to Pongo."),
    "inactive_hint": N_("Your POS no longer lists this location."),
    "no_store": N_("No Pongo store"),
    "not_linked": N_("Not linked"),
    "tablet_error": N_("Give the tablet's number, a whole number from 1, or leave it empty."),
}
# The phrases a row puts its own values in.
_PHRASES = {
    "store_for": N_("Pongo store for %(name)s"),
    "match": N_("%(percent)d %% match"),
    "renamed": N_("Now “%(new)s”, was “%(old)s” when linked."),
    "orphaned": N_("Store %(slug)s is no longer at Pongo. Choose another store."),
    "gone": N_("%(slug)s (no longer at Pongo)"),
    "now": N_("Now: %(link)s."),
}
_INVALID_ROW = 'class="row-invalid"'
_INVALID = 'aria-invalid="true"'
_NO_STORE = escape(NO_STORE)


def row_words() -> RowWords:
    """The row words in the request's language."""
    translate = request_translations().ugettext
    # Markup as the templates' gettext makes it: the catalogue is ours, the values are escaped.
    words = {key: Markup(translate(text)) % {} for key, text in _WORDS.items()}  # noqa: S704
    phrases = {key: Markup(translate(text)) for key, text in _PHRASES.items()}  # noqa: S704
    return RowWords(**words, **phrases)


class _Page(NamedTuple):
    """What every row of one page is written with."""

    words: RowWords
    # Each state's badge, made by the template's macro once for each state the page shows.
    badges: Mapping[str, Markup]
    # The attributes of a control the viewer may not use (the support view), else empty.
    guard: Markup
    compact: bool
    free: Sequence[Store]
    # Every free store as an option, for the rows of a page that lists them all.
    free_options: str
    tablet_errors: Mapping[str, str]
    typed_tablets: Mapping[str, str]


class _Values(NamedTuple):
    """The values of a row that every row shows, escaped in one call."""

    ref: str
    name: str
    city: str
    address: str
    postal_code: str
    version: str
    drawn: str
    slug: str
    # The label of the row's linked store, when Pongo still has it.
    label: str
    # The name of the row's tablet field, and the tablet number saved.
    field: str
    tablet: str

    @classmethod
    def of(cls, row: Row) -> _Values:
        """The row's values, escaped."""
        loc = row.location
        return cls._make(
            escaped(
                [
                    loc.ref,
                    loc.name,
                    loc.city or "",
                    loc.address or "",
                    loc.postal_code or "",
                    str(loc.link_version),
                    row.drawn or "",
                    loc.store_slug or "",
                    row.store.label if row.store else "",
                    field_name(loc.ref),
                    "" if loc.pongo_tablet_id is None else str(loc.pongo_tablet_id),
                ]
            )
        )


def _options(stores: Sequence[Store], chosen: str | None = None) -> str:
    """Every free store as an option, the chosen one selected.

    Without a choice, as the page's shared list of options was written: no room left for
    "selected" in each tag.
    """
    slugs = escaped([store.slug for store in stores])
    labels = escaped([store.label for store in stores])
    if chosen is None:
        return "".join(
            [
                f'<option value="{slug}">{label}</option>'
                for slug, label in zip(slugs, labels, strict=True)
            ]
        )
    return "".join(
        [
            f'<option value="{slug}" {"selected" if store.slug == chosen else ""}>{label}</option>'
            for store, slug, label in zip(stores, slugs, labels, strict=True)
        ]
    )


def _location_cell(values: _Values) -> str:
    """The row's header: the location's name, ref, city and address."""
    city = f" · {values.city}" if values.city else ""
    address = ""
    if values.address:
        postal_code = f", {values.postal_code}" if values.postal_code else ""
        address = f'<span class="muted">{values.address}{postal_code}</span>'
    return (
        '        <th scope="row">\n'
        f'          <span class="location-name">{values.name}</span>\n'
        f'          <span class="muted">{values.ref}{city}</span>\n'
        f"{address}\n"
        "        </th>\n"
    )


def _state_cell(page: _Page, row: Row) -> str:
    """The row's state badge, and the line that says what the state asks of the merchant."""
    words = page.words
    state = row.state
    hint: str | None = None
    if state == "renamed":
        name = row.store.name if row.store else ""
        hint = words.renamed % {"new": name, "old": row.location.store_name_at_link}
    elif state == "orphaned":
        hint = words.orphaned % {"slug": row.location.store_slug}
    elif state == "no_store":
        hint = words.no_store_hint
    elif state != "linked" and state != "unlinked":
        hint = words.inactive_hint
    line = "" if hint is None else f'<p class="hint">{hint}</p>\n'
    badge = page.badges[state]
    return f'        <td data-label="{words.status}">\n          {badge}\n{line}</td>\n'


def _chosen_option(chosen: str) -> str:
    """A chosen store the row's options do not hold, shown by its slug."""
    return f'<option value="{escape(chosen)}" selected>{escape(chosen)}</option>\n'


def _store_options(page: _Page, row: Row, values: _Values) -> str:
    """The options of the row's store select after its two fixed ones."""
    slug = row.location.store_slug
    chosen = row.shown
    html = ""
    if slug:
        own = values.label if row.store else page.words.gone % {"slug": slug}
        selected = "selected" if chosen == slug else ""
        html = f'<option value="{values.slug}" {selected}>{own}</option>\n'
    suggested = row.suggested
    if page.compact:
        if suggested and suggested.slug != slug:
            selected = "selected" if chosen == suggested.slug else ""
            html += (
                f'<option value="{escape(suggested.slug)}" {selected}>'
                f"{escape(suggested.label)}</option>\n"
            )
        if (
            chosen
            and chosen != NO_STORE
            and chosen != slug
            and not (suggested and chosen == suggested.slug)
        ):
            html += _chosen_option(chosen)
    elif chosen and chosen != NO_STORE and chosen != slug:
        html += _options(page.free, chosen) + "\n"
        if all(store.slug != chosen for store in page.free):
            html += _chosen_option(chosen)
    else:
        html += page.free_options + "\n"
    return html


def _error_line(page: _Page, row: Row, number: int, message: str) -> str:
    """Why the row's choice was refused, and what the row holds now if it changed elsewhere."""
    now = ""
    if row.error == "conflict":
        words = page.words
        link: str
        if row.store:
            link = row.store.label
        elif row.drawn == NO_STORE:
            link = words.no_store
        else:
            link = row.location.store_slug or words.not_linked
        now = f" {words.now % {'link': link}}"
    return (
        f'<p class="field-errors" id="store-{number}-error"><span aria-hidden="true">✖</span> '
        f"{escape(message)}{now}</p>\n"
    )


def _tablet_field(page: _Page, row: Row, values: _Values, number: int) -> str:
    """The Pongo tablet's field of a linked row, or of one whose tablet is set or typed."""
    loc = row.location
    if not (loc.store_slug or loc.pongo_tablet_id or loc.ref in page.typed_tablets):
        return ""
    refused = page.tablet_errors.get(loc.ref) if page.tablet_errors else None
    typed = values.tablet
    if loc.ref in page.typed_tablets:
        typed = escape(page.typed_tablets[loc.ref])
    described = f"tablet-{number}-error " if refused else ""
    line = ""
    if refused:
        line = (
            f'<p class="field-errors" id="tablet-{number}-error"><span aria-hidden="true">✖'
            f"</span> {page.words.tablet_error}</p>\n"
        )
    return (
        '<div class="tablet-field">\n'
        f'  <label for="tablet-{number}">{page.words.tablet}</label>\n'
        f'  <input id="tablet-{number}" name="{values.field}" '
        f'value="{typed}" inputmode="numeric" autocomplete="off" size="10" '
        f'{page.guard} aria-describedby="{described}tablet-hint" '
        f"{_INVALID if refused else ''}>\n"
        f"{line}</div>\n"
    )


def _store_cell(page: _Page, row: Row, values: _Values, number: int, error: str | None) -> str:
    """The row's fields: what it was drawn with, its store select, its Pongo tablet."""
    words = page.words
    chosen = row.shown
    title = ""
    if row.store and chosen == row.location.store_slug:
        title = f'title="{values.label}"'
    invalid = f'{_INVALID} aria-describedby="store-{number}-error"' if error else ""
    picker = "data-store-picker" if page.compact else ""
    # The name is escaped already: the phrase is formatted as text, not as markup.
    label = str(words.store_for) % {"name": values.name}
    return (
        f'        <td data-label="{words.store}">\n'
        f'<input type="hidden" name="ref" value="{values.ref}">\n'
        f'<input type="hidden" name="was" value="{values.drawn}">\n'
        f'<input type="hidden" name="version" value="{values.version}">\n'
        f'<label for="store-{number}" class="sr-only">{label}</label>\n'
        f'<select id="store-{number}" name="store" {title} {page.guard} {picker} {invalid}>\n'
        f'  <option value="" {"" if chosen else "selected"}>{words.not_linked_choice}</option>\n'
        f'  <option value="{_NO_STORE}" {"selected" if chosen == NO_STORE else ""}>'
        f"{words.no_store_choice}</option>\n"
        f"{_store_options(page, row, values)}"
        "</select>\n"
        f"{_error_line(page, row, number, error) if error else ''}"
        f"{_tablet_field(page, row, values, number)}"
        "</td>\n"
    )


def _suggestion_cell(page: _Page, row: Row) -> str:
    """The store suggested for the row and how well it matches, or an empty cell."""
    if not row.suggestion:
        return '<td class="no-suggestion"></td>\n'
    words = page.words
    name = escape(row.suggested.name) if row.suggested else ""
    confidence = words.match % {"percent": row.suggestion.confidence}
    return (
        f'<td data-label="{words.suggestion}">\n'
        f'          <span class="store-name">{name}</span> '
        f'<span class="confidence">{confidence}</span>\n'
        "        </td>\n"
    )


def link_rows(
    listing: LocationsPage,
    *,
    badge: Callable[[str], Markup],
    guard: Markup,
    errors: Mapping[str, str],
    tablet_errors: Mapping[str, str],
    typed_tablets: Mapping[str, str],
) -> Markup:
    """The links table's rows: a location, its state, its store select and its suggestion.

    `badge` makes a state's badge and `guard` holds the attributes of a control the viewer
    may not use, both the template's macros; `errors` holds the refused rows' messages,
    `tablet_errors` and `typed_tablets` the refused tablets and what was typed.
    """
    compact = listing.compact
    page = _Page(
        words=row_words(),
        badges={state: badge(state) for state in {row.state for row in listing.rows}},
        guard=guard,
        compact=compact,
        free=listing.free_stores,
        free_options="" if compact else _options(listing.free_stores),
        tablet_errors=tablet_errors,
        typed_tablets=typed_tablets,
    )
    html = []
    for number, row in enumerate(listing.rows, 1):
        values = _Values.of(row)
        error = errors.get(row.location.ref) if errors else None
        html.append(
            f'<tr id="row-{values.ref}" {_INVALID_ROW if error else ""}>\n'
            f"{_location_cell(values)}"
            f"{_state_cell(page, row)}"
            f"{_store_cell(page, row, values, number, error)}"
            f"{_suggestion_cell(page, row)}"
            "</tr>\n"
        )
    return Markup("".join(html))  # noqa: S704  # every value in it was escaped above


def version_fields(rows: Sequence[Row]) -> Markup:
    """The accept form's hidden fields: each row's ref and the link version it was drawn with."""
    refs = escaped([row.location.ref for row in rows])
    versions = escaped([str(row.location.link_version) for row in rows])
    return Markup(  # noqa: S704  # every ref and version in it was escaped above
        "".join(
            [
                f'<input type="hidden" name="ref" value="{ref}">'
                f'<input type="hidden" name="version" value="{version}">'
                for ref, version in zip(refs, versions, strict=True)
            ]
        )
    )
