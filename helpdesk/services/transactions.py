"""Retrying a whole transaction when SQLite reports a write conflict."""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask import g, has_request_context
from sqlalchemy.exc import OperationalError

from helpdesk.extensions import db

T = TypeVar("T")
ATTEMPTS = 5


def is_busy(exc: BaseException) -> bool:
    """Whether `exc` is SQLite's "database is locked" (a lock timeout, or a write conflict): the
    transaction can be tried again, nothing about the data is wrong."""
    return isinstance(exc, OperationalError) and _is_busy(exc)


def _is_busy(exc: OperationalError) -> bool:
    # In WAL mode a read transaction that tries to write after another writer committed gets
    # SQLITE_BUSY at once (the busy timeout cannot help); the cure is to start over.
    return "database is locked" in str(exc.orig) or "database is busy" in str(exc.orig)


def begin_write() -> None:
    """Start the session's next transaction as a writer (BEGIN IMMEDIATE on SQLite). A read-only
    transaction the caller left open is ended first on SQLite (unless it began as a writer) and
    goes on writing on PostgreSQL; pending changes are an error."""
    session = db.session()
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write() with unsaved changes in the session")
        if session.get_bind().dialect.name != "sqlite":
            # Read committed: each statement sees what others committed, and a read may become a
            # write. Ending the read cost a COMMIT and, as that expires every loaded object, a
            # reload of each: five round trips of a chat reply's eight (bench/README, chat widget).
            return
        if session.info.get("writer") is session.get_transaction() or _request_writes():
            return  # it holds the write lock already, or takes it at its first statement: go on
        session.commit()
    session.connection(execution_options={"sqlite_write": True})
    session.info["writer"] = session.get_transaction()


def writes_in_this_request() -> None:
    """Make every transaction of the current request begin as a writer (BEGIN IMMEDIATE on SQLite).

    For requests that may change something: on SQLite a transaction that read and then writes
    fails at once ("database is locked") when another connection (a listener, a job) committed in
    between, and a request's reads and writes often fall in different transactions (an API token's
    touch commits on its own). Writers queue on the busy timeout instead."""
    g.sqlite_write = True


def done_writing() -> None:
    """The request made its last change: what follows (reading back, rendering the answer) begins
    as a reader. On SQLite a writer request's every transaction took the one write lock, held while
    its answer was serialised; other writers waited in SQLite's busy handler, which sleeps in steps
    of up to 100 ms rather than waking when the lock is free. Nothing may be pending."""
    session = db.session()
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("done_writing() with unsaved changes in the session")
    if session.in_transaction():
        commit_keeping_objects()
    if has_request_context():
        g.sqlite_write = False


def begins_as_writer(connection) -> bool:
    """Whether a transaction beginning on `connection` takes the write lock at once (never on a
    connection opened by `reading_connection`)."""
    options = connection.get_execution_options()
    if options.get("sqlite_read"):
        return False
    return bool(options.get("sqlite_write")) or _request_writes()


def reading_connection():
    """A connection of its own for a quick read beside the session. It begins as a reader even in a
    request that writes: as a writer it would wait out the busy timeout behind the write lock its
    own request's session may hold."""
    return db.engine.connect().execution_options(sqlite_read=True)


@contextmanager
def driver_cursor() -> Iterator:
    """A DBAPI cursor on a pooled connection of its own, in autocommit, for one quick SELECT beside
    the session (consistent by itself): no BEGIN and ROLLBACK (on PostgreSQL two round trips of
    three) and none of SQLAlchemy's connection, isolation and result handling, which cost 2-8
    times the driver's own call (bench/README, triggers). Plain rows: no type conversion."""
    raw = db.engine.raw_connection()
    driver = raw.driver_connection
    pg = db.engine.dialect.name == "postgresql"
    try:
        if pg:
            driver.autocommit = True  # SQLite's connections already are (helpdesk._sqlite_pragmas)
        cursor = raw.cursor()
        try:
            yield cursor
        finally:
            cursor.close()
    finally:
        if pg:
            driver.autocommit = False  # as the pool hands it to SQLAlchemy
        raw.close()


def _request_writes() -> bool:
    return has_request_context() and g.get("sqlite_write", False)


def commit_keeping_objects() -> None:
    """Commit without expiring the session's objects, so that nothing is read back after it.

    For a writer that read what it changes in its own write transaction (after `begin_write`):
    its objects hold what it committed, and the usual expiry would only make each one read its row
    again (a third of a chat reply's queries). And for ending a read that loaded nothing the caller
    relies on. On PostgreSQL, which has no database-wide write lock, columns a transaction did not
    write may have changed since it read them: read those again before relying on them."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def retry_when_busy(func: Callable[..., T]) -> Callable[..., T]:
    """Run `func` again (after a rollback and a short jittered pause) when SQLite is busy.

    Only for functions that are safe to repeat: they do all their writes in one transaction that
    they commit themselves, and are idempotent (as ingestion is on the message's external id).
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return func(*args, **kwargs)
            except OperationalError as exc:
                db.session.rollback()
                if not _is_busy(exc) or attempt == ATTEMPTS:
                    raise
                time.sleep(random.uniform(0.005, 0.05) * attempt)
        raise AssertionError("unreachable")

    return wrapper
