"""The help center's own words in the visitor's language: the application's one Flask-Babel
mechanism (helpdesk.i18n), with the help center's catalogues under `knowledge_base/translations/`
merged in. A help center page chooses its language from its address (`/help/<lang>/...`, which
sets `g.page_language`); otherwise the visitor's browser decides, as everywhere."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g

from helpdesk.i18n import add_catalogues, catalogue, domain

TRANSLATIONS = Path(__file__).parent / "translations"
# Registered on import: a process that sends the portal's mails without serving pages needs them too.
add_catalogues(TRANSLATIONS)
gettext = domain.gettext
ngettext = domain.ngettext
__all__ = ["catalogue", "gettext", "ngettext", "init_app"]


def init_app(app: Flask) -> None:
    """Forget the help center's page language at each request (helpdesk.i18n set Flask-Babel up and
    merged the help center's catalogues in)."""
    app.url_value_preprocessor(_forget_language)  # before the help center's own, which sets it


def _forget_language(_endpoint=None, _values=None) -> None:
    # Each request chooses afresh (an app context kept open across requests, as tests do, keeps `g`).
    g.pop("kb_language", None)
