"""Settings that every ingested message reads (triggers and the rules among them, groups, SLA
policies, custom fields, webhook subscriptions, chat widgets) and who an API token authenticates, cached per
process and kept exact across processes.

Reading them took four queries and their ORM objects on every message. Now a reader checks one
token (`settings_revision`, one row) once per transaction and uses what it cached under that token.
Any flush that writes one of the `WATCHED` models gives the row a new token in the same transaction,
so every process sees a change the moment it is committed, never before. The token is random rather
than a counter: a change that was rolled back can never match a later one.
"""

from __future__ import annotations

import functools
import threading
import uuid
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import chain
from typing import TypeVar

from sqlalchemy import event, insert, inspect, select, update
from sqlalchemy.orm import Session

from helpdesk.extensions import db
from helpdesk.models import (
    ApiToken,
    ChannelAccount,
    CustomField,
    Group,
    SettingsRevision,
    SlaCalendar,
    SlaPolicyConfig,
    Trigger,
    User,
    Webhook,
)
from helpdesk.services.transactions import driver_cursor, reading_connection

T = TypeVar("T")
WATCHED = (Group, Trigger, CustomField, SlaCalendar, SlaPolicyConfig)
# What a cached API token's answer depends on (services.staff): a token's revocation, and every
# change of its user (active, role, groups, name...) but these, which sign-ins and sessions write.
USER_INCIDENTAL = frozenset({"last_login_at", "session_token", "totp_last_step", "password_hash"})
# Webhook endpoints: whether any is subscribed to an event; not their failure counts or secrets.
WEBHOOK_SUBSCRIPTION = ("active", "paused_at", "events")
_TOKEN = "settings_token"  # key in Session.info: the token this transaction read or wrote

_READ = select(SettingsRevision.__table__.c.token).where(SettingsRevision.__table__.c.id == 1)
_lock = threading.Lock()
# Inside `one_committed_read`: [] until the committed token is read, then [token].
_held: ContextVar[list | None] = ContextVar("settings_committed_token", default=None)
# engine -> {name: (token, value)}; weak, so an engine that is gone takes its values along
_values: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def current_token() -> str | None:
    """The settings token as this transaction sees it (read once per transaction); None when the
    row is missing (a database emptied by hand): then nothing is cached."""
    session = db.session()
    if _TOKEN not in session.info:
        session.info[_TOKEN] = session.connection().execute(_READ).scalar()
    return session.info[_TOKEN]


def cached(name: str, load: Callable[[], T]) -> T:
    """`load()`'s value, computed once per settings revision in this process. `load` runs in the
    caller's transaction and must return something that outlives it (no session-bound objects)."""
    token = current_token()
    if token is None:
        return load()
    engine = db.engine
    with _lock:
        hit = _values.get(engine, {}).get(name)
    if hit is not None and hit[0] == token:
        return hit[1]  # type: ignore[return-value]
    value = load()
    with _lock:
        _values.setdefault(engine, {})[name] = (token, value)
    return value


def remembered(name: str) -> tuple[str, object] | None:
    """(token, value) as this process last cached `name`, from memory alone, or None: for a caller
    that reads the token itself inside a statement it runs anyway, and uses `value` only when that
    token matches (else `cached`)."""
    with _lock:
        return _values.get(db.engine, {}).get(name)


@functools.lru_cache(maxsize=4)
def _read_sql(dialect) -> str:
    return str(_READ.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


@contextmanager
def one_committed_read() -> Iterator[None]:
    """Within it (in this thread or task), `peek` and `peek_or_load` read the committed token once
    and reuse it: the subscribers of one event after its commit (triggers, webhooks, SLA) each
    read it on a connection of their own, one round trip apiece, for the same answer."""
    reset = _held.set([])
    try:
        yield
    finally:
        _held.reset(reset)


def _committed(name: str) -> tuple[str | None, tuple | None]:
    """(the committed settings token, read on a connection of its own, once per
    `one_committed_read`; (token, value) as cached for `name`, or None)."""
    engine = db.engine
    held = _held.get()
    if held:
        token = held[0]
    else:
        with driver_cursor() as cursor:
            cursor.execute(_read_sql(engine.dialect))
            row = cursor.fetchone()
        token = row[0] if row else None
        if held is not None:
            held.append(token)
    with _lock:
        return token, _values.get(engine, {}).get(name)


def peek(name: str) -> tuple[bool, object]:
    """(True, value) when `name` is cached under the committed settings token, else (False, None);
    reads the token on a connection of its own, so the caller's session starts no transaction (a
    subscriber after commit must not hold a read snapshot open in its publisher's session)."""
    token, hit = _committed(name)
    return (True, hit[1]) if token is not None and hit is not None and hit[0] == token else (False, None)


def peek_or_load(name: str, load: Callable[[object], T]) -> T:
    """`load(connection)`'s value under the committed settings token, as `peek` reads it (outside
    the caller's session); on a miss `load` runs on a reading connection of its own and its value
    is kept under the token read before it (so it is at least as new as that token)."""
    token, hit = _committed(name)
    if token is not None and hit is not None and hit[0] == token:
        return hit[1]  # type: ignore[return-value]
    with reading_connection() as connection:
        value = load(connection)
    if token is not None:
        with _lock:
            _values.setdefault(db.engine, {})[name] = (token, value)
    return value


@functools.cache
def _user_keys() -> tuple[str, ...]:
    return tuple(a.key for a in inspect(User).attrs if a.key not in USER_INCIDENTAL)


def _changed(obj, keys) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[key].history.has_changes() for key in keys)


def _changes_settings(session: Session, obj, dirty: bool) -> bool:
    """Whether writing `obj` (new or deleted; or changed, `dirty`) changes something cached under
    the token."""
    if isinstance(obj, WATCHED):
        # A group's members count too: they decide what a cached token's user may see.
        return not dirty or session.is_modified(obj, include_collections=isinstance(obj, Group))
    if isinstance(obj, User):
        return not dirty or _changed(obj, _user_keys())
    if isinstance(obj, ApiToken):  # a new token was never cached; a used one changes only its last use
        return obj in session.deleted or (dirty and _changed(obj, ("revoked_at", "user_id", "token_hash")))
    if isinstance(obj, Webhook):
        return not dirty or _changed(obj, WEBHOOK_SUBSCRIPTION)
    if isinstance(obj, ChannelAccount):  # a chat widget: its switch, key, origins, group (webchat.widgets)
        return obj.kind == "webchat" and (not dirty or session.is_modified(obj))
    return False


@event.listens_for(Session, "before_flush")
def _new_token_on_change(session: Session, _flush_context, _instances) -> None:
    dirty = (obj for obj in session.dirty if obj not in session.deleted)
    if not any(chain((_changes_settings(session, obj, False) for obj in chain(session.new, session.deleted)),
                     (_changes_settings(session, obj, True) for obj in dirty))):
        return
    token = uuid.uuid4().hex
    connection = session.connection()  # Core: no autoflush from inside a flush
    table = SettingsRevision.__table__
    if connection.execute(update(table).where(table.c.id == 1).values(token=token)).rowcount == 0:
        connection.execute(insert(table).values(id=1, token=token))
    session.info[_TOKEN] = token


@event.listens_for(Session, "after_transaction_end")
def _forget_token(session: Session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction: the next one reads afresh
        session.info.pop(_TOKEN, None)
