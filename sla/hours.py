"""Opening hours: windows of wall-clock time and the weekly schedule they make.

A `Window` is a stretch of local wall-clock time that starts on a given day. When its end is not
after its start it ends on the following day: `22:00-06:00` is an overnight window and
`00:00-00:00` (also written `00:00-24:00`) is the whole day. A weekly schedule is seven tuples of
windows, Monday first, as `date.weekday()` counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Weekly = tuple[tuple["Window", ...], ...]
HoursSpec = str | Iterable[str]


@dataclass(frozen=True, order=True)
class Window:
    """Local opening hours from `start` to `end`; an `end` not after `start` falls on the next day."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("window times are local wall-clock times, without a time zone")

    @classmethod
    def parse(cls, text: str) -> Window:
        """Read `"09:00-17:00"`, `"22:00-06:00"` (overnight) or `"00:00-24:00"` (whole day)."""
        start, sep, end = text.strip().partition("-")
        if not sep:
            raise ValueError(f"a window is written HH:MM-HH:MM, not {text!r}")
        return cls(_parse_clock(start), _parse_clock(end))

    @property
    def overnight(self) -> bool:
        """True when the window ends on the day after it starts (this includes a whole-day window)."""
        return self.end <= self.start

    def wall_bounds(self, day: date) -> tuple[datetime, datetime]:
        """The naive local start and end of this window when it opens on `day`."""
        start = datetime.combine(day, self.start)
        end_day = day + timedelta(days=1) if self.overnight else day
        return start, datetime.combine(end_day, self.end)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def _parse_clock(text: str) -> time:
    text = text.strip()
    if text in ("24:00", "24:00:00"):
        return time(0)
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a time of day: {text!r}") from None


def parse_windows(spec: HoursSpec) -> tuple[Window, ...]:
    """Windows from `"09:00-13:00, 14:00-18:00"` or a list of such strings; `""` means closed."""
    parts = spec.split(",") if isinstance(spec, str) else list(spec)
    return tuple(sorted(Window.parse(part) for part in parts if part.strip()))


def parse_weekly(spec: Mapping[str, HoursSpec]) -> Weekly:
    """A weekly schedule from day keys to windows, e.g. `{"mon-fri": "09:00-17:00", "sat": "10:00-14:00"}`.

    Keys are day names (`mon` ... `sun`), ranges (`mon-fri`, `fri-mon` wraps) or `daily`; days not
    named are closed, and a later key replaces what an earlier key set for the same day.
    """
    week: list[tuple[Window, ...]] = [() for _ in DAY_NAMES]
    for key, hours in spec.items():
        windows = parse_windows(hours)
        for weekday in _days_of(key):
            week[weekday] = windows
    return tuple(week)


def _days_of(key: str) -> list[int]:
    key = key.strip().lower()
    if key in ("daily", "all", "mon-sun"):
        return list(range(7))
    first, sep, last = key.partition("-")
    start = _day_index(first)
    if not sep:
        return [start]
    count = (_day_index(last) - start) % 7 + 1
    return [(start + step) % 7 for step in range(count)]


def _day_index(name: str) -> int:
    try:
        return DAY_NAMES.index(name.strip()[:3])
    except ValueError:
        raise ValueError(f"not a day of the week: {name!r}") from None


def check_weekly(weekly: Weekly) -> None:
    """Raise ValueError unless `weekly` holds seven tuples of `Window`."""
    if len(weekly) != 7:
        raise ValueError(f"a weekly schedule has 7 days, Monday first, not {len(weekly)}")
    for windows in weekly:
        check_windows(windows)


def check_windows(windows: tuple[Window, ...]) -> None:
    """Raise ValueError unless `windows` is a tuple of `Window` (one day's opening hours)."""
    if not isinstance(windows, tuple) or not all(isinstance(window, Window) for window in windows):
        raise ValueError(f"a day's opening hours are a tuple of Window, not {windows!r}")
