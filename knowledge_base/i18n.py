"""The help center's own words in the visitor's language, through Flask-Babel.

Catalogues are the `.po` files under `knowledge_base/translations/` read directly (no compiled
`.mo` files to build or commit). The locale is the help center page's language, else the best
match of the browser's Accept-Language among UI_LANGUAGES, else English.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, g, has_request_context, request
from flask_babel import Babel, Domain, get_locale, refresh

from knowledge_base.languages import UI_LANGUAGES

TRANSLATIONS = Path(__file__).parent / "translations"


@cache
def catalogue(language: str) -> NullTranslations:
    """The translations of `language` (the English source strings when there is no catalogue)."""
    po = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


class PoDomain(Domain):
    """A Flask-Babel domain whose catalogues come straight from `.po` files."""

    def get_translations(self):
        locale = get_locale()
        # Babel knows Tagalog as Filipino ("tl" parses to fil_PH); the catalogue is tl.
        language = locale.language if locale else "en"
        return catalogue({"fil": "tl"}.get(language, language))


domain = PoDomain()
gettext = domain.gettext
ngettext = domain.ngettext


def ui_language() -> str:
    """The language of the help center's own words for this request."""
    if not has_request_context():
        return "en"
    chosen = getattr(g, "kb_language", None)
    if chosen in UI_LANGUAGES:
        return chosen
    return request.accept_languages.best_match(UI_LANGUAGES) or "en"


def _forget_language(_endpoint=None, _values=None) -> None:
    # Each request chooses afresh (an app context kept open across requests, as tests do, keeps `g`).
    g.pop("kb_language", None)
    refresh()


def init_app(app: Flask) -> None:
    """Set Flask-Babel up (unless the application already did) and give templates `_` and `ngettext`."""
    if "babel" not in app.extensions:
        Babel(app, locale_selector=ui_language, configure_jinja=False)
    app.url_value_preprocessor(_forget_language)  # runs before the help center's own, which sets it
    app.jinja_env.globals.setdefault("_", gettext)
    app.jinja_env.globals.setdefault("ngettext", ngettext)
