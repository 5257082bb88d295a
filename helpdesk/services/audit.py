"""The one way to write the audit log: every service that changes users, roles, groups, settings,
channels, SLA policies or rules, and every sign-in, calls `record` in its own transaction.

The log is append-only: rows are only ever inserted (no code path updates or deletes them).
"""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.extensions import db
from helpdesk.models import AuditEntry

SECRET_FIELDS = frozenset({"password", "password_hash", "session_token", "token", "token_hash", "secret",
                           "totp_secret", "recovery_codes"})


@dataclass(frozen=True)
class Actor:
    """Who makes a change and from where: the staff member (None for the system or the command
    line), the client's address, and the way in (`web`, `api`, `cli`, `system`)."""

    user_id: int | None = None
    ip: str | None = None
    via: str = "system"


CLI = Actor(via="cli")
SYSTEM = Actor(via="system")


def _clean(values: dict | None) -> dict | None:
    """Secrets never reach the log: their fields are kept (so the change shows) but masked."""
    if values is None:
        return None
    return {k: ("[hidden]" if k in SECRET_FIELDS else v) for k, v in values.items()}


def record(actor: Actor, action: str, target_type: str, target_id: int | None, *, before: dict | None = None,
           after: dict | None = None, **data) -> AuditEntry:
    """Add an audit entry to the session (the caller commits it with the change it describes).

    `action` is dotted (`user.update`, `auth.login_failed`); `before` and `after` hold only the
    fields that changed; `data` anything else worth keeping (an e-mail tried, a reason)."""
    entry = AuditEntry(actor_id=actor.user_id, action=action, target_type=target_type, target_id=target_id,
                       ip=(actor.ip or None) and actor.ip[:45], via=actor.via, before=_clean(before),
                       after=_clean(after), data=_clean(data) or {})
    db.session.add(entry)
    return entry


def changes(old: dict, new: dict) -> tuple[dict, dict]:
    """(before, after) limited to the keys whose value differs."""
    keys = [k for k in new if old.get(k) != new[k]]
    return {k: old.get(k) for k in keys}, {k: new[k] for k in keys}
