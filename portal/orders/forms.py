"""Forms of the Orders page."""

from __future__ import annotations

from flask_wtf import FlaskForm


class RetryForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """The Retry button: its CSRF token is the whole form."""
