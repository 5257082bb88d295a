"""The urgency a sender gave their mail in its headers, normalised to the one hint the core uses.

Mail clients say it in several ways: `X-Priority: 1` or `2` (1 highest, 5 lowest; often with a
comment, "1 (Highest)"), `Importance: high` (RFC 2156 / Outlook), `Priority: urgent` (RFC 2156) and
`X-MSMail-Priority: High` (older Outlook). Any of them makes the hint "high"; the core decides what
that means for a new ticket (see helpdesk.services.rules).
"""

from __future__ import annotations

import re

from channels.email.headers import Headers

HIGH = "high"
_LEADING_DIGIT = re.compile(r"^\s*(\d)(?!\d)")


def _x_priority_high(value: str) -> bool:
    match = _LEADING_DIGIT.match(value)
    return match is not None and match.group(1) in ("1", "2")


_HIGH_WHEN = (
    ("x-priority", _x_priority_high),
    ("importance", lambda value: value.strip().lower() == "high"),
    ("priority", lambda value: value.strip().lower() == "urgent"),
    ("x-msmail-priority", lambda value: value.strip().lower() == "high"),
)


def priority_hint(headers: Headers) -> str | None:
    """"high" when any priority header marks the mail urgent or important; otherwise None."""
    for name, is_high in _HIGH_WHEN:
        if any(is_high(value) for value in headers.get(name, ())):
            return HIGH
    return None
