"""The location options written in Python: the same markup as the template's loop, escaped."""

from __future__ import annotations

from jinja2 import Environment

from portal.products.markup import location_options
from portal.rows import escaped

LOOP = Environment(autoescape=True).from_string(
    '{% for ref, name in locations %}<option value="{{ ref }}" '
    "{% if selected == ref %}selected{% endif %}>{{ name }}</option>{% endfor %}"
)
LOCATIONS = [
    ("L1", "Oberkampf"),
    ('L"2', "Café <Lyon> & 'Part-Dieu'"),
    ("L\x003", "Nul\x00part"),
    ("", ""),
]


def test_options_are_the_loops_markup_with_every_value_escaped() -> None:
    for selected in (None, "L1", 'L"2', "L\x003", "elsewhere"):
        expected = LOOP.render(locations=LOCATIONS, selected=selected)
        assert str(location_options(LOCATIONS, selected)) == expected
    assert str(location_options([], None)) == ""


def test_values_are_escaped_one_by_one_when_one_holds_the_separator() -> None:
    assert escaped(["a&b", "<c>"]) == ["a&amp;b", "&lt;c&gt;"]
    assert escaped(["a\x00&", '"']) == ["a\x00&amp;", "&#34;"]
    assert escaped([]) == []
