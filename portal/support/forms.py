"""Forms of the support console."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from portal.support.problems import PROBLEMS

REASON_MAX = 500


class LoginForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """Staff sign-in."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=320)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])


class CodeForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """A code from the authenticator app (or, at sign-in, a recovery code)."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(message=_l("Enter the code.")), Length(max=100)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"},
    )


class PasskeyForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """The browser's passkey answer, filled in by static/js/passkeys.js."""

    credential = HiddenField(validators=[DataRequired(), Length(max=20_000)])


class ReasonForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """A required reason, for starting a view as a merchant or switching it to write mode."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Say why you need to see this merchant's portal.")),
            Length(max=REASON_MAX),
        ],
    )


class SearchForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """The directory's search box and problem filter (a GET form, so no CSRF token)."""

    class Meta:
        """GET forms change nothing."""

        csrf = False

    q = SearchField(_l("Search"), validators=[Length(max=200)])
    problem = SelectField(_l("Problem"), validate_choice=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.problem.choices = [("", _l("Any"))] + [
            (item.key, item.label) for item in PROBLEMS.values()
        ]
