"""Untrusted input at the edge: control characters refused, numbers bounded, Pongo's leftovers told.

PostgreSQL cannot store NUL in text, and control characters in a name or a search
forge log lines and break exports, so a request carrying them is refused before any
view reads it: 404 when the path holds them (no page has such a name), 400 for a
query string or form; the API's models check JSON bodies field by field. Line breaks
and tabs stay allowed in form fields, where a textarea may send them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from flask import flash, request
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from werkzeug.exceptions import HTTPException, default_exceptions

log = logging.getLogger(__name__)

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# What a form field may carry besides printable text.
FORM_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control(text: str) -> bool:
    """True when the text holds a control character (NUL, line breaks, escapes)."""
    return CONTROL.search(text) is not None


def _with_message(status: int, message: str) -> HTTPException:
    error = default_exceptions[status](description=message)
    error.portal_message = message  # type: ignore[attr-defined]  # read by errors
    return error


def refuse_control_characters() -> None:
    """Stop a request whose path, query string or form holds control characters.

    JSON bodies are the API's: its pydantic models refuse control characters field by
    field, so that the POS learns which field was wrong.
    """
    if has_control(request.path):
        raise _with_message(404, str(_l("This page does not exist or is not yours to see.")))
    if any(has_control(k) or has_control(v) for k, v in request.args.items(multi=True)):
        raise _with_message(400, str(_l("The address holds characters the portal cannot read.")))
    # A form's fields; empty for JSON bodies and for requests without a body.
    if any(has_control(k) or FORM_CONTROL.search(v) for k, v in request.form.items(multi=True)):
        raise _with_message(400, str(_l("The form holds characters the portal cannot read.")))


def report_unreadable(what: str, problems: Sequence[str]) -> None:
    """Tell the merchant (and the log) how many items from Pongo were skipped, and why."""
    if not problems:
        return
    log.warning("%d %s from Pongo could not be read: %s", len(problems), what, "; ".join(problems))
    shown = "; ".join(problems[:3]) + ("; …" if len(problems) > 3 else "")
    if what == "stores":
        message = ngettext(
            "%(num)d store from Pongo could not be read: %(reasons)s",
            "%(num)d stores from Pongo could not be read: %(reasons)s",
            len(problems),
            reasons=shown,
        )
    else:
        message = ngettext(
            "%(num)d reward from Pongo could not be read: %(reasons)s",
            "%(num)d rewards from Pongo could not be read: %(reasons)s",
            len(problems),
            reasons=shown,
        )
    flash(message, "warning")
