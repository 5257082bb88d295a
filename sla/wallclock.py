"""Instants and wall-clock times: the one place that turns local times into real instants.

Conventions used by the whole package:

- An *instant* is an aware datetime. A naive datetime means UTC (the application stores naive
  UTC); `as_utc` is the single place where that rule is applied.
- Internally instants are integers of microseconds since the Unix epoch, so every sum and
  difference is exact.
- A wall-clock time (a local date and time in a zone) becomes the instant at which the local
  clock *first* shows that time or later. On a spring-forward night a time inside the gap becomes
  the instant of the jump (02:30 in Madrid on 2026-03-29 is 01:00 UTC, when clocks go from 02:00
  to 03:00); on a fall-back night a repeated time becomes its first occurrence. The mapping never
  goes backwards, so a window from an earlier to a later wall time is never negative.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICRO = timedelta(microseconds=1)
SECOND_US = 1_000_000


def as_utc(moment: datetime) -> datetime:
    """Return `moment` as an aware UTC datetime; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def to_micros(moment: datetime) -> int:
    """Microseconds since the epoch of an instant (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // MICRO


def from_micros(micros: int) -> datetime:
    """The aware UTC datetime `micros` microseconds after the epoch."""
    return EPOCH + timedelta(microseconds=micros)


def wall_to_micros(day: date, clock: time, zone: ZoneInfo) -> int:
    """The instant (epoch microseconds) at which the clock in `zone` first shows `day` `clock` or later."""
    wall = datetime.combine(day, clock)
    earlier = to_micros(wall.replace(tzinfo=zone, fold=0))
    later = to_micros(wall.replace(tzinfo=zone, fold=1))
    if earlier <= later:
        # An ordinary time (both equal) or a repeated one (fold=0 is its first occurrence).
        return earlier
    # Inside a gap: fold=1 reads it with the offset after the jump (too early), fold=0 with the
    # offset before (too late); the jump itself lies between them, on a whole second.
    return _jump_between(later // SECOND_US, -(-earlier // SECOND_US), zone) * SECOND_US


def _jump_between(low: int, high: int, zone: ZoneInfo) -> int:
    """The first second in (low, high] whose UTC offset differs from the offset at `low`."""
    before = _offset_at(low, zone)
    while high - low > 1:
        middle = (low + high) // 2
        if _offset_at(middle, zone) == before:
            low = middle
        else:
            high = middle
    return high


def _offset_at(seconds: int, zone: ZoneInfo) -> timedelta | None:
    return (EPOCH + timedelta(seconds=seconds)).astimezone(zone).utcoffset()
