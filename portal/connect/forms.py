"""Forms of the Connection page."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """A button-only form: its CSRF token is the whole point."""
