"""Words, dates and numbers in the reader's language and time zone, through Flask-Babel: one
mechanism for the console, its e-mails and the help center.

Catalogues are `.po` files read directly (no compiled `.mo` to build or commit): the console's under
`helpdesk/translations/`, and any other package's directory added with `add_catalogues` (the help
center's `knowledge_base/translations/`); a language's catalogues are merged into one.

The locale of a request: the language a page chose for itself (`g.page_language`, the help center's
`/help/<lang>/...` and the portal's, which may be one only their catalogues speak),
else the signed-in staff member's own choice, else the best match of the browser's Accept-Language
(for staff among the console's languages, for anyone else among every catalogue's), else
HELPDESK_DEFAULT_LANGUAGE. The time zone: the staff member's,
else HELPDESK_DEFAULT_TIME_ZONE. `helpdesk i18n extract` (babel.cfg) refreshes the catalogues.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel, Domain, force_locale, get_locale, refresh

# What the console speaks (English is the source language: its strings are the msgids).
LANGUAGES = {"en": "English", "es": "Español", "zh": "中文", "tl": "Tagalog"}
DEFAULT_LANGUAGE = "en"
CONSOLE_CATALOGUES = Path(__file__).resolve().parent.parent / "translations"
_directories: list[Path] = [CONSOLE_CATALOGUES]


def add_catalogues(directory: Path) -> None:
    """Merge the `.po` files under `directory` (`<lang>/LC_MESSAGES/messages.po`) into every language."""
    if directory not in _directories:
        _directories.append(directory)
        catalogue.cache_clear()
        page_languages.cache_clear()


@cache
def page_languages() -> tuple[str, ...]:
    """Every language a page may speak: the console's, then those only another catalogue has."""
    found = {po.parent.parent.name for directory in _directories for po in directory.glob("*/LC_MESSAGES/messages.po")}
    return (*LANGUAGES, *sorted(found - set(LANGUAGES)))


def read_catalogue(po: Path, language: str):
    """The babel Catalog of one `.po` file."""
    with po.open("rb") as source:
        return read_po(source, locale=language)


@cache
def catalogue(language: str) -> NullTranslations:
    """The translations of `language`, every registered directory merged (the English source
    strings where a catalogue lacks one). Where two translate the same words, the console's wins."""
    merged: NullTranslations = NullTranslations()
    for directory in reversed(_directories):  # a later merge overrides: the console's comes last
        po = directory / language / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            continue
        buffer = BytesIO()
        write_mo(buffer, read_catalogue(po, language))
        buffer.seek(0)
        translations = Translations(buffer)
        if isinstance(merged, Translations):
            merged.merge(translations)
        else:
            merged = translations
    return merged


class PoDomain(Domain):
    """A Flask-Babel domain whose catalogues come straight from the `.po` files."""

    def get_translations(self):
        locale = get_locale()
        # Babel knows Tagalog as Filipino ("tl" parses to fil_PH); the catalogue is tl.
        language = locale.language if locale else DEFAULT_LANGUAGE
        return catalogue({"fil": "tl"}.get(language, language))


domain = PoDomain()
gettext = domain.gettext
ngettext = domain.ngettext
lazy_gettext = domain.lazy_gettext
# Words that read differently by what they name (a call "answered" is "atendida", a survey
# "respondida"): the context, the first argument, becomes the catalogue's msgctxt.
pgettext = domain.pgettext
npgettext = domain.npgettext
lazy_pgettext = domain.lazy_pgettext


def default_language() -> str:
    """The helpdesk's own default language (HELPDESK_DEFAULT_LANGUAGE)."""
    return current_app.config.get("HELPDESK_DEFAULT_LANGUAGE", DEFAULT_LANGUAGE)


def default_time_zone() -> str:
    """The helpdesk's own default time zone (HELPDESK_DEFAULT_TIME_ZONE)."""
    return current_app.config.get("HELPDESK_DEFAULT_TIME_ZONE", "UTC")


def _staff():
    from flask_login import current_user

    return current_user if current_user and current_user.is_authenticated else None


def browser_language(available=LANGUAGES) -> str | None:
    """The best match of this request's Accept-Language among `available`, or None."""
    if not has_request_context():
        return None
    return request.accept_languages.best_match(list(available))


def select_locale() -> str:
    """The language of this request (see the module's docstring)."""
    if not has_request_context():
        return default_language()
    chosen = g.get("page_language")
    if chosen in page_languages():
        return chosen
    staff = _staff()
    if staff is None:
        return browser_language(page_languages()) or default_language()
    if getattr(staff, "language", None) in LANGUAGES:
        return staff.language
    return browser_language() or default_language()


def select_time_zone() -> str:
    """The time zone of this request: the staff member's, else the helpdesk's default."""
    staff = _staff() if has_request_context() else None
    return getattr(staff, "time_zone", None) or default_time_zone()


def language_of(user) -> str:
    """The language to write to `user` in when they are not reading a page (an e-mail)."""
    chosen = getattr(user, "language", None)
    return chosen if chosen in LANGUAGES else default_language()


def in_language(language: str | None):
    """A context manager: gettext and formatting speak `language` inside it (None or one the
    console does not speak: the helpdesk's default)."""
    return force_locale(language if language in LANGUAGES else default_language())


def in_language_of(user):
    """A context manager: gettext and formatting speak `user`'s language inside it."""
    return in_language(getattr(user, "language", None))


def current_language() -> str:
    """The catalogue code of this request's language ("es", "zh", "tl"), for `<html lang>`."""
    locale = get_locale()
    language = locale.language if locale else default_language()
    return {"fil": "tl"}.get(language, language)


def _new_request(_endpoint=None, _values=None) -> None:
    # Each request chooses afresh (an app context kept open across requests, as tests do, keeps `g`
    # and Flask-Babel's cached locale).
    g.pop("page_language", None)
    refresh()


def init_app(app: Flask) -> None:
    """Set Flask-Babel up for the whole application and give templates `_`, `ngettext`,
    `pgettext`, `npgettext` and the date, time and number filters."""
    from helpdesk.i18n import formats, labels, script, stored

    app.config.setdefault("HELPDESK_DEFAULT_LANGUAGE", DEFAULT_LANGUAGE)
    app.config.setdefault("HELPDESK_DEFAULT_TIME_ZONE", "UTC")
    if "babel" not in app.extensions:
        Babel(app, locale_selector=select_locale, timezone_selector=select_time_zone, configure_jinja=False)
    app.url_value_preprocessor(_new_request)  # before any blueprint's own, which may choose a language
    # Jinja's "new style" gettext: `_('Hello %(name)s', name=x)` escapes `x`, and `{% trans %}` works.
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(gettext, ngettext, newstyle=True, pgettext=pgettext, npgettext=npgettext)
    app.jinja_env.globals.update(CONSOLE_LANGUAGES=LANGUAGES, current_language=current_language,
                                 script_strings=script.script_strings)
    formats.init_app(app)
    labels.init_app(app)
    stored.init_app(app)
