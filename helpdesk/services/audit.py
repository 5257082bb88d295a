"""The audit log: one service every change goes through, and the capture of settings changes.

`record(...)` is called by services for what they know best (a user switched off, a sign-in, a
password reset). Changes to the helpdesk's settings (groups, priority rules, SLA policies and
calendars, channel accounts, mailboxes, macros, survey settings) are captured from the session as
they are flushed (`watch`), whatever code path made them, with the fields before and after. Who
made a change and from where comes from `current_actor()`, which the app factory points at the
request (the signed-in user or the API token's, the client address) or the command line.

The log is append-only: the session refuses to flush a change or a deletion of an entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session

from helpdesk.extensions import db
from helpdesk.models import AuditEntry, User
from helpdesk.models.base import utcnow

SECRET_FIELDS = frozenset({"password", "password_hash", "session_token", "token", "token_hash", "secret",
                           "totp_secret", "recovery_codes"})
SECRET_MARKERS = ("secret", "password", "token")
# Columns the app itself moves as it works (sync cursors, last errors, counters): not a change of settings.
OPERATIONAL = frozenset({"created_at", "updated_at", "cursor", "last_seen_at", "last_error", "uidvalidity",
                         "last_uid", "last_sync_at", "usage_count", "failures"})


@dataclass(frozen=True)
class Actor:
    """Who makes a change and from where: the staff member (None for the system or the command
    line), the client's address, and the way in (`web`, `api`, `cli`, `system`)."""

    user_id: int | None = None
    ip: str | None = None
    via: str = "system"


CLI = Actor(via="cli")
SYSTEM = Actor(via="system")

_actor_of_context: Callable[[], Actor] = lambda: SYSTEM  # noqa: E731


def set_actor_source(source: Callable[[], Actor]) -> None:
    """Tell the log how to find who is acting (the app factory does, once)."""
    global _actor_of_context
    _actor_of_context = source


def current_actor() -> Actor:
    """Who is acting now, as the app factory's source says (the system when it cannot tell)."""
    try:
        return _actor_of_context()
    except Exception:  # noqa: BLE001 - an audit entry without its actor beats a failed change
        return SYSTEM


def _secret(name: str) -> bool:
    return name in SECRET_FIELDS or any(marker in name for marker in SECRET_MARKERS)


def _plain(value):
    """A value the JSON column can hold."""
    if value is None or isinstance(value, (bool, int, float, str, list, dict)):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def _clean(values: dict | None) -> dict | None:
    """Secrets never reach the log: their fields are kept (so the change shows) but masked."""
    if values is None:
        return None
    return {k: ("[hidden]" if _secret(k) and v is not None else _plain(v)) for k, v in values.items()}


def record(actor: Actor | None, action: str, target_type: str, target_id: int | None, *, before: dict | None = None,
           after: dict | None = None, **data) -> AuditEntry:
    """Add an audit entry to the session (the caller commits it with the change it describes).

    `action` is dotted (`user.update`, `auth.sign_in_failed`); `before` and `after` hold only the
    fields that changed; `data` anything else worth keeping (an e-mail tried, a reason). Without
    an `actor`, `current_actor()` is used."""
    actor = actor or current_actor()
    entry = AuditEntry(actor_id=actor.user_id, action=action, target_type=target_type, target_id=target_id,
                       ip=(actor.ip or None) and actor.ip[:45], via=actor.via, before=_clean(before),
                       after=_clean(after), data=_clean(data) or {})
    db.session.add(entry)
    return entry


def changes(old: dict, new: dict) -> tuple[dict, dict]:
    """(before, after) limited to the keys whose value differs."""
    keys = [k for k in new if old.get(k) != new[k]]
    return {k: old.get(k) for k in keys}, {k: new[k] for k in keys}


# --- settings changes, captured at flush -------------------------------------------------------

_watched: dict[type, str] = {}


def _columns(obj) -> dict:
    return {c.key: getattr(obj, c.key) for c in inspect(obj).mapper.column_attrs if c.key not in OPERATIONAL}


def _changed(obj) -> tuple[dict, dict]:
    state = inspect(obj)
    before, after = {}, {}
    for attr in state.mapper.column_attrs:
        if attr.key in OPERATIONAL:
            continue
        history = state.attrs[attr.key].history
        if history.has_changes() and (history.deleted or history.added):
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                before[attr.key], after[attr.key] = old, new
    return before, after


def _viewed(view, obj, kind: str, before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    if kind != "update":
        return (view(before) if before is not None else None), (view(after) if after is not None else None)
    now = _columns(obj)
    return changes(view(now | before), view(now))


def _guard_and_complete(session: Session, _context, _instances) -> None:
    """Before a flush: refuse to change or delete audit entries; give entries made without an
    address or channel (older call sites) the current actor's."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise RuntimeError("the audit log is append-only")
    for obj in session.new:
        if isinstance(obj, AuditEntry) and obj.via is None:
            actor = current_actor()
            obj.ip, obj.via = obj.ip or ((actor.ip or None) and actor.ip[:45]), actor.via
            obj.actor_id = obj.actor_id if obj.actor_id is not None else actor.user_id


def _capture(session: Session, _context) -> None:
    """After a flush (ids known, history still there): one entry per watched row created, changed
    or deleted, written in the same transaction."""
    rows = []
    for kind, objects in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            name = _watched.get(type(obj))
            if name is None:
                continue
            if kind == "create":
                before, after = None, _columns(obj)
            elif kind == "delete":
                before, after = _columns(obj), None
            else:
                before, after = _changed(obj)
                if not after:
                    continue
            view = getattr(type(obj), "audit_view", None)
            if view is not None:  # a model that shows itself in its own terms (a rule over a trigger)
                before, after = _viewed(view, obj, kind, before, after)
            rows.append((name, kind, obj, before, after))
    if not rows:
        return
    actor = current_actor()
    values = [{"actor_id": actor.user_id, "action": f"{name}.{kind}", "target_type": name,
               "target_id": inspect(obj).mapper.primary_key_from_instance(obj)[0],
               "data": {"label": _plain(getattr(obj, "name", None))} if getattr(obj, "name", None) else {},
               "created_at": utcnow(), "ip": (actor.ip or None) and actor.ip[:45], "via": actor.via,
               "before": _clean(before), "after": _clean(after)} for name, kind, obj, before, after in rows]
    session.connection().execute(insert(AuditEntry.__table__), values)


def watch(models: dict[type, str]) -> None:
    """Capture every change of these models (model -> name in the log) from now on."""
    _watched.update(models)
    session_class = db.session.session_factory.class_
    if not event.contains(session_class, "after_flush", _capture):
        event.listen(session_class, "before_flush", _guard_and_complete)
        event.listen(session_class, "after_flush", _capture)


# --- reading the log ---------------------------------------------------------------------------

EXPORT_COLUMNS = ("id", "created_at", "actor_id", "actor_email", "via", "ip", "action", "target_type", "target_id",
                  "before", "after", "data")


@dataclass(frozen=True)
class Filters:
    """What to look for; None means any. `action` matches a whole action or a prefix ending in a
    dot (`user.` finds every user change)."""

    action: str | None = None
    actor_id: int | None = None
    target_type: str | None = None
    target_id: int | None = None
    ip: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def search(filters: Filters, *, before_id: int | None = None, limit: int = 100) -> list[AuditEntry]:
    """Entries matching `filters`, newest first, older than `before_id` when given (keyset paging)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if filters.action:
        query = query.where(AuditEntry.action.startswith(filters.action) if filters.action.endswith(".")
                            else AuditEntry.action == filters.action)
    for column, value in ((AuditEntry.actor_id, filters.actor_id), (AuditEntry.target_type, filters.target_type),
                          (AuditEntry.target_id, filters.target_id), (AuditEntry.ip, filters.ip)):
        if value is not None:
            query = query.where(column == value)
    if filters.since is not None:
        query = query.where(AuditEntry.created_at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEntry.created_at < filters.until)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return list(db.session.scalars(query))


def actions() -> list[str]:
    """Every action the log holds, for the viewer's filter."""
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def as_rows(entries: list[AuditEntry]) -> list[dict]:
    """Entries as plain dicts (EXPORT_COLUMNS), with the actor's e-mail."""
    ids = {e.actor_id for e in entries} - {None}
    emails = dict(db.session.execute(select(User.id, User.email).where(User.id.in_(ids))).all()) if ids else {}
    return [{"id": e.id, "created_at": e.created_at.isoformat() + "Z", "actor_id": e.actor_id,
             "actor_email": emails.get(e.actor_id), "via": e.via, "ip": e.ip, "action": e.action,
             "target_type": e.target_type, "target_id": e.target_id, "before": e.before, "after": e.after,
             "data": e.data or {}} for e in entries]
