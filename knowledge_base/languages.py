"""Languages of the knowledge base: what articles may be written in, what the help center speaks,
and how a visitor's language is chosen."""

from __future__ import annotations

DEFAULT_LANGUAGE = "en"
# Articles may be written in these; the help center's own words are translated into UI_LANGUAGES.
CONTENT_LANGUAGES = {"en": "English", "es": "Español", "zh": "中文", "tl": "Tagalog", "fr": "Français",
                     "pt": "Português", "de": "Deutsch"}
UI_LANGUAGES = ("en", "es", "zh", "tl")


def normalise(code: str | None) -> str | None:
    """`es-MX` -> `es`, `zh-Hant-TW` -> `zh`, `fil` -> `tl`; None for anything unknown."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    base = {"fil": "tl"}.get(base, base)
    return base if base in CONTENT_LANGUAGES else None


def pick(accept_languages=None, customer_language: str | None = None, available=None) -> str:
    """The language to show: the customer's own when known, else the browser's best match
    (`accept_languages` is werkzeug's LanguageAccept), else the default."""
    available = list(available or CONTENT_LANGUAGES)
    chosen = normalise(customer_language)
    if chosen in available:
        return chosen
    for value, _quality in accept_languages or []:
        code = normalise(value)
        if code in available:
            return code
    return DEFAULT_LANGUAGE
