"""@mentions in internal notes: who may be mentioned on a ticket, and who a note mentions.

A mention is `@` followed by a staff member's full name, as the composer's completion writes it
(`@Ana Agent`); only active staff who may see the ticket can be mentioned or completed.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from helpdesk.extensions import db
from helpdesk.models import Ticket, User
from helpdesk.services import tickets

COMPLETIONS = 8


def _staff_for(ticket: Ticket) -> list[User]:
    users = db.session.scalars(select(User).options(selectinload(User.groups)).where(User.active).order_by(User.name))
    return [u for u in users if tickets.can_see(u, ticket)]


def candidates(ticket: Ticket, prefix: str) -> list[User]:
    """Up to COMPLETIONS staff who may see `ticket` whose name (any word of it) or e-mail starts with `prefix`."""
    prefix = prefix.strip().lower()
    found = []
    for user in _staff_for(ticket):
        words = [user.name.lower(), *user.name.lower().split(), user.email.lower()]
        if not prefix or any(w.startswith(prefix) for w in words):
            found.append(user)
    return found[:COMPLETIONS]


def mentioned_in(text: str, ticket: Ticket) -> list[User]:
    """The staff who may see `ticket` and are mentioned in `text` as `@Full Name` (case-insensitive,
    not followed by more letters: `@Ana Agentur` mentions nobody called Ana Agent)."""
    if "@" not in (text or ""):
        return []
    lowered = text.lower()
    found = []
    for user in _staff_for(ticket):
        pattern = r"(?<![\w@])@" + re.escape(user.name.lower()) + r"(?!\w)"
        if re.search(pattern, lowered):
            found.append(user)
    return found


