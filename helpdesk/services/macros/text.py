"""A macro's reply text for one ticket: the customer's language picked, placeholders filled.

A fixed substitution of the names in PLACEHOLDERS, never a template engine: the text is written by
staff but the values come from customers (a name, a subject), and nothing in either is evaluated.
Unknown `{{...}}` stay as written, so a typo shows in the preview instead of vanishing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from helpdesk.models import Macro, Ticket, User

LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")


def _first(name: str | None) -> str:
    return (name or "").split()[0] if (name or "").split() else ""


PLACEHOLDERS: dict[str, Callable[[Ticket, User], str]] = {
    "customer.name": lambda t, a: t.customer.name or "",
    "customer.first_name": lambda t, a: _first(t.customer.name),
    "ticket.number": lambda t, a: str(t.number),
    "ticket.subject": lambda t, a: t.subject or "",
    "agent.name": lambda t, a: a.name or "",
    "agent.first_name": lambda t, a: _first(a.name),
}


def fill(text: str, ticket: Ticket, agent: User) -> str:
    """`text` with every known placeholder replaced by its value for `ticket` and `agent`."""
    values: dict[str, str] = {}

    def value(match: re.Match) -> str:
        key = match.group(1)
        if key not in PLACEHOLDERS:
            return match.group(0)
        if key not in values:
            values[key] = PLACEHOLDERS[key](ticket, agent)
        return values[key]

    return PLACEHOLDER.sub(value, text)


def language_of(macro: Macro, language: str | None) -> str | None:
    """The translation key of `macro` that suits `language` (exact, then the base language:
    `pt-br` falls back to `pt`), or None for the macro's own text."""
    wanted = (language or "").strip().lower().replace("_", "-")
    translations = macro.translations or {}
    if wanted in translations:
        return wanted
    base = wanted.split("-")[0]
    return base if base in translations else None


def reply_for(macro: Macro, ticket: Ticket, agent: User) -> str:
    """The reply `macro` writes on `ticket`: in the customer's language when translated, filled."""
    key = language_of(macro, ticket.customer.language)
    text = macro.translations[key] if key else macro.body
    return fill(text or "", ticket, agent).strip()
