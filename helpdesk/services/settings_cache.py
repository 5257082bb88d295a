"""Settings that every ingested message reads (triggers and the rules among them, groups, SLA
policies, custom fields), cached per
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
from collections.abc import Callable
from itertools import chain
from typing import TypeVar

from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from helpdesk.extensions import db
from helpdesk.models import CustomField, Group, SettingsRevision, SlaCalendar, SlaPolicyConfig, Trigger
from helpdesk.services.transactions import driver_cursor

T = TypeVar("T")
WATCHED = (Group, Trigger, CustomField, SlaCalendar, SlaPolicyConfig)
_TOKEN = "settings_token"  # key in Session.info: the token this transaction read or wrote

_READ = select(SettingsRevision.__table__.c.token).where(SettingsRevision.__table__.c.id == 1)
_lock = threading.Lock()
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


def peek(name: str) -> tuple[bool, object]:
    """(True, value) when `name` is cached under the committed settings token, else (False, None);
    reads the token on a connection of its own, so the caller's session starts no transaction (a
    subscriber after commit must not hold a read snapshot open in its publisher's session)."""
    engine = db.engine
    with driver_cursor() as cursor:
        cursor.execute(_read_sql(engine.dialect))
        row = cursor.fetchone()
    token = row[0] if row else None
    with _lock:
        hit = _values.get(engine, {}).get(name)
    return (True, hit[1]) if token is not None and hit is not None and hit[0] == token else (False, None)


@event.listens_for(Session, "before_flush")
def _new_token_on_change(session: Session, _flush_context, _instances) -> None:
    dirty = (obj for obj in session.dirty if session.is_modified(obj, include_collections=False))  # not a group's members
    if not any(isinstance(obj, WATCHED) for obj in chain(session.new, dirty, session.deleted)):
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
