"""Languages: English and French, chosen by the session, then the browser."""

from __future__ import annotations

from babel import Locale
from babel.support import NullTranslations
from flask import Blueprint, Flask, g, redirect, request, session, url_for
from flask_babel import get_locale, get_translations
from werkzeug.wrappers import Response

from portal.access import public
from portal.extensions import babel
from portal.urls import safe_local_path

# Locale codes the portal accepts from a launch or the footer switch.
LOCALES = {"en": "English", "fr": "Français", "fr_CA": "Français (Canada)"}
SWITCHER = ("en", "fr")

bp = Blueprint("i18n", __name__)


def normalise_locale(value: object) -> str | None:
    """Map `fr-CA`, `fr_ca`, `FR` and friends to a supported locale, or None."""
    if not isinstance(value, str):
        return None
    code = value.strip().replace("-", "_")
    lang, _, region = code.partition("_")
    candidate = f"{lang.lower()}_{region.upper()}" if region else lang.lower()
    if candidate in LOCALES:
        return candidate
    return lang.lower() if lang.lower() in LOCALES else None


def select_locale() -> str:
    """A `?lang=` on a page without a session, the session's choice, the browser's, then English."""
    chosen = normalise_locale(session.get("locale")) or normalise_locale(request.args.get("lang"))
    if chosen:
        return chosen
    best = request.accept_languages.best_match(["en", "fr", "fr-CA", "fr_CA"])
    return normalise_locale(best) or "en"


@bp.post("/language")
@public
def switch_language() -> Response:
    """Remember the language picked in the footer and go back to the page."""
    chosen = normalise_locale(request.form.get("locale"))
    if chosen:
        session["locale"] = chosen
    return redirect(safe_local_path(request.form.get("unsafe_next")) or url_for("overview.index"))


def request_translations() -> NullTranslations:
    """The translations of the request's locale, found once per locale the request uses.

    A page calls gettext hundreds of times; Flask-Babel finds the locale and its catalogue
    again on each call. The catalogue found is kept beside Flask-Babel's own per-request
    locale object, so that a locale forced for a while (`force_locale`) or dropped
    (`refresh`) is followed.
    """
    state = g.get("_flask_babel")
    locale = getattr(state, "babel_locale", None)
    kept = getattr(state, "portal_translations", None)
    if kept is not None and locale is not None and kept[0] is locale:
        found: NullTranslations = kept[1]
        return found
    found = get_translations()
    state = g.get("_flask_babel")
    if state is not None:
        state.portal_translations = (getattr(state, "babel_locale", None), found)
    return found


def request_locale() -> Locale:
    """The request's locale as Flask-Babel stored it, looked up the usual way until it is there.

    Read directly, as `request_translations` reads the catalogue: Flask-Babel's own
    `get_locale` goes through its context on every call.
    """
    state = g.get("_flask_babel") if g else None
    locale = getattr(state, "babel_locale", None)
    if isinstance(locale, Locale):
        return locale
    return get_locale() or Locale.parse("en")


def init_app(app: Flask) -> None:
    """Attach Flask-Babel and the language switch; templates translate through the above."""
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
        gettext=lambda text: request_translations().ugettext(text),
        ngettext=lambda one, many, n: request_translations().ungettext(one, many, n),
        pgettext=lambda where, text: request_translations().upgettext(where, text),
        npgettext=lambda where, one, many, n: request_translations().unpgettext(
            where, one, many, n
        ),
        newstyle=True,
    )
    app.register_blueprint(bp)
