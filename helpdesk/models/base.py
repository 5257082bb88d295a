"""Column helpers shared by the models."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

# Set only by `clock_at`: the demo writes 30 days of history through the real services, which all
# read the time here, so each past event is stamped (and SLA-clocked) when it happened.
_fixed_now: ContextVar[datetime | None] = ContextVar("fixed_now", default=None)


def utcnow() -> datetime:
    """Naive UTC now: every timestamp is stored as naive UTC on SQLite and PostgreSQL alike."""
    fixed = _fixed_now.get()
    return fixed if fixed is not None else datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Within it, `utcnow()` in this thread (or task) returns `moment` (naive UTC)."""
    token = _fixed_now.set(moment.replace(tzinfo=None))
    try:
        yield
    finally:
        _fixed_now.reset(token)
