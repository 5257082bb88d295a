"""The console's catalogues are complete: every string the console's templates, Python and scripts
mark for translation is in each language's `.po` with a real translation, and no console template
shows words outside `_()`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import knowledge_base.i18n  # noqa: F401 - registers the help center's catalogues, as the app does
from helpdesk.i18n import LANGUAGES, catalogues
from helpdesk.i18n.script import SCRIPT_STRINGS
from tests.i18n.untranslated import report, untranslated

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [code for code in LANGUAGES if code != "en"]
PLACEHOLDERS = re.compile(r"%\(\w+\)[sd]|%%|<[^>]+>|\{\w+\}|\$\w+")
# Words that read the same in Chinese too (names of things, codes).
SAME_IN_ZH = {"SLA", "JSON", "Markdown", "webhook",
              "X-Helpdesk-Signature: sha256=<hex HMAC-SHA256 of the body with the shared secret>", "%(name)s: %(reason)s", "%(what)s: %(field)s %(message)s.", "API",
              "api"}


@pytest.fixture(scope="module")
def extracted():
    return catalogues.extract()


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_marked_string_has_a_translation(extracted, language):
    catalog = catalogues.read(language)
    elsewhere = catalogues.translated_elsewhere(language)
    missing = [catalogues.key(m) for m in extracted
               if m.id and catalog.get(m.id, context=m.context) is None and catalogues.key(m) not in elsewhere]
    assert not missing, f"not in {language}'s catalogue (run `helpdesk i18n extract`, then translate): {missing[:10]}"
    lacking = [k for k in catalogues.untranslated(catalog) if extracted.get(k[0], context=k[1]) is not None]
    assert not lacking, f"{language} lacks translations for: {lacking[:10]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_every_placeholder_and_tag(language):
    for message in catalogues.read(language):
        if not message.id or isinstance(message.id, tuple):
            continue
        assert sorted(PLACEHOLDERS.findall(message.string)) == sorted(PLACEHOLDERS.findall(message.id)), message.id


def test_chinese_translations_are_not_the_english_text():
    copied = [m.id for m in catalogues.read("zh") if m.id and not isinstance(m.id, tuple) and m.string == m.id
              and m.id not in SAME_IN_ZH]
    assert not copied


def test_no_console_template_shows_words_outside_gettext():
    for folder in (ROOT / "helpdesk" / "templates", ROOT / "knowledge_base" / "templates" / "kb"):
        assert report(folder) == {}, folder


def test_the_template_check_finds_text_and_attributes_left_in_english():
    page = '<h1>{{ _("Tickets") }}</h1><p>No tickets here.</p><input placeholder="search" title="{{ _(\'x\') }}">'
    assert untranslated(page) == ["search", "No tickets here."]


def test_every_string_a_script_writes_is_in_the_catalogue():
    called = set()
    for path in (ROOT / "frontend").glob("*.js"):
        source = path.read_text()
        called |= set(re.findall(r'\bt\(\s*"((?:[^"\\]|\\.)*)"', source))
        if path.name == "shortcuts.js":  # its descriptions are translated where they are shown: t(what)
            called |= set(re.findall(r'\[\s*"[^"]+",\s*"([^"]+)"\s*\]', source))
    assert called, "no t(...) call found: the pattern no longer matches the scripts"
    assert called - set(SCRIPT_STRINGS) == set()
