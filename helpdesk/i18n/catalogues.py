"""The console's catalogues kept in step with the code: extract every translatable string (the
`_()` of templates and Python, as babel.cfg maps them) and merge it into each language's `.po`
file, keeping the translations already written. `helpdesk i18n extract` runs it."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

from helpdesk.i18n import CONSOLE_CATALOGUES, LANGUAGES, read_catalogue

ROOT = CONSOLE_CATALOGUES.parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None,
            "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2), "_lp": ((1, "c"), 2),
            "npgettext": ((1, "c"), 2, 3)}
# The customer portal's words live with the help center's (knowledge_base/translations, en/es/zh/tl
# like the console); the console's catalogue holds everything else.
METHODS = [("helpdesk/templates/portal/**", "ignore"), ("helpdesk/web/portal/**", "ignore"), ("helpdesk/**.py", "python"), ("helpdesk/templates/**.html", "jinja2"), ("helpdesk/templates/**.txt", "jinja2"),
           ("knowledge_base/templates/kb/**.html", "jinja2")]
OPTIONS = {"**.html": {"extensions": "jinja2.ext.i18n"}, "**.txt": {"extensions": "jinja2.ext.i18n"}}


def extract(root: Path = ROOT) -> Catalog:
    """Every translatable string of the console, as a template catalogue (msgids, where they are)."""
    template = Catalog(project="helpdesk", creation_date=datetime(2026, 1, 1), fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
            root, METHODS, OPTIONS, KEYWORDS, strip_comment_tags=True):
        if "/migrations/" in filename:
            continue
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def po_path(language: str) -> Path:
    return CONSOLE_CATALOGUES / language / "LC_MESSAGES" / "messages.po"


def read(language: str) -> Catalog:
    """The `.po` catalogue of `language` (empty when there is none yet)."""
    path = po_path(language)
    return read_catalogue(path, language) if path.exists() else Catalog(locale=language, project="helpdesk")


def key(message: Message) -> tuple[str, str | None]:
    """What names a message in a catalogue: its msgid (the singular's for a plural) and its context."""
    return (message.id if isinstance(message.id, str) else message.id[0]), message.context


def translated_elsewhere(language: str) -> set[tuple[str, str | None]]:
    """The (msgid, context) of the strings another registered catalogue (the help center's)
    translates into `language`."""
    from helpdesk.i18n import _directories

    found = set()
    for directory in _directories:
        po = directory / language / "LC_MESSAGES" / "messages.po"
        if directory != CONSOLE_CATALOGUES and po.exists():
            found |= {key(m) for m in read_catalogue(po, language) if m.id and m.string and not m.fuzzy}
    return found


def update(template: Catalog) -> dict[str, int]:
    """Merge `template` into each translated language's `.po` (new strings untranslated, gone ones
    dropped, new strings the help center's catalogue translates already left to it); returns how
    many strings each still lacks a translation for."""
    missing = {}
    for language in LANGUAGES:
        if language == "en":
            continue
        catalog = read(language)
        own = Catalog(project="helpdesk", creation_date=template.creation_date, fuzzy=False)
        elsewhere = translated_elsewhere(language)
        for message in template:
            kept = catalog.get(message.id, context=message.context)
            if message.id and (key(message) not in elsewhere or (kept is not None and kept.string)):
                own[message.id] = message
        catalog.update(own, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.fuzzy = False  # the header: a fuzzy one is left out of the compiled catalogue
        buffer = BytesIO()
        write_po(buffer, catalog, width=120, omit_header=False, sort_output=True, include_previous=False)
        po_path(language).parent.mkdir(parents=True, exist_ok=True)
        po_path(language).write_bytes(buffer.getvalue())
        missing[language] = len(untranslated(catalog))
    return missing


def untranslated(catalog: Catalog) -> list[tuple[str, str | None]]:
    """The (msgid, context) of the strings of `catalog` without a (complete, non-fuzzy) translation."""
    lacking = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if message.fuzzy or not all(strings):
            lacking.append(key(message))
    return lacking
