"""Business calendars: when a team works, and the time math over those hours.

A `BusinessCalendar` is a time zone, a weekly schedule of windows, public holidays from the
`holidays` package (by country and subdivision), custom holiday dates and half days (a date with
its own windows, which wins over both the weekly schedule and a holiday).

How it computes: for each local calendar year the calendar lays out the real intervals (epoch
microseconds) its windows cover, merged and sorted, with the business time that comes before
each one. That table is built once per year and cached, so `business_time_between` and
`add_business_time` are a few binary searches whatever the span: no day-by-day or minute-by-minute
walk. Every result is exact to the microsecond, across DST changes (see `sla.wallclock` for how a
wall-clock time inside a DST gap or overlap becomes an instant).

Inputs are aware datetimes (naive means UTC); outputs are aware UTC datetimes.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holiday_data

from sla.hours import HoursSpec, Weekly, Window, check_weekly, check_windows, parse_weekly, parse_windows
from sla.wallclock import MICRO, from_micros, to_micros, wall_to_micros

_AVERAGE_YEAR_US = 31_556_952 * 1_000_000  # 365.2425 days
_FIRST_YEAR, _LAST_YEAR = 1900, 9000


class NoBusinessTimeError(ValueError):
    """Raised by `add_business_time` when a whole calendar year on the way has no business time."""


@dataclass(frozen=True)
class _YearTable:
    """The business intervals of one local year, clipped to [begin, end)."""

    begin: int
    end: int
    starts: list[int]
    ends: list[int]
    before: list[int]  # business time before interval i, from `begin`
    through: list[int]  # business time up to the end of interval i, from `begin`

    @property
    def total(self) -> int:
        return self.through[-1] if self.through else 0

    def used_until(self, moment: int) -> int:
        """Business time from the year's start up to `moment` (which lies in this year)."""
        index = bisect_right(self.starts, moment) - 1
        if index < 0:
            return 0
        return self.before[index] + min(moment, self.ends[index]) - self.starts[index]

    def moment_after(self, amount: int) -> int:
        """The earliest moment by which `amount` (> 0, <= total) of business time has passed."""
        index = bisect_left(self.through, amount)
        return self.starts[index] + amount - self.before[index]


@dataclass
class _Cache:
    """What a calendar has worked out so far; filled lazily, one entry per local year."""

    zone: ZoneInfo
    begins: dict[int, int] = field(default_factory=dict)
    years: dict[int, _YearTable] = field(default_factory=dict)
    holidays: dict[int, frozenset[date]] = field(default_factory=dict)


@dataclass(frozen=True)
class BusinessCalendar:
    """Working hours in a time zone, with holidays; answers business-time questions exactly.

    `weekly` holds seven tuples of `Window`, Monday first. `holidays` are custom dates closed all
    day; `country`/`subdivision` add the public holidays the `holidays` package knows (for
    example `country="ES", subdivision="MD"`). `half_days` maps a date to the windows it has
    instead of its usual ones (even when it is a holiday). A holiday closes the windows that
    *start* on that date; an overnight window from the evening before still runs into it.

    A calendar is immutable and caches what it computes: to change hours or holidays, build a
    new one (and recompute the clocks that used the old one).
    """

    timezone: str
    weekly: Weekly
    country: str | None = None
    subdivision: str | None = None
    holidays: frozenset[date] = frozenset()
    half_days: Mapping[date, tuple[Window, ...]] = field(default_factory=dict, hash=False)
    _cache: _Cache = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "weekly", tuple(tuple(windows) for windows in self.weekly))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "half_days", {day: tuple(windows) for day, windows in self.half_days.items()})
        check_weekly(self.weekly)
        for windows in self.half_days.values():
            check_windows(windows)
        object.__setattr__(self, "_cache", _Cache(ZoneInfo(self.timezone)))
        if self.country is not None:
            holiday_data.country_holidays(self.country, subdiv=self.subdivision, years=[])

    @classmethod
    def from_hours(
        cls,
        timezone: str,
        hours: Mapping[str, HoursSpec],
        *,
        country: str | None = None,
        subdivision: str | None = None,
        holidays: Iterable[date] = (),
        half_days: Mapping[date, HoursSpec] | None = None,
    ) -> BusinessCalendar:
        """Build a calendar from text, e.g. `from_hours("Europe/Madrid", {"mon-fri": "09:00-14:00, 15:00-18:00"})`."""
        return cls(
            timezone=timezone,
            weekly=parse_weekly(hours),
            country=country,
            subdivision=subdivision,
            holidays=frozenset(holidays),
            half_days={day: parse_windows(spec) for day, spec in (half_days or {}).items()},
        )

    @classmethod
    def always_open(cls, timezone: str = "UTC") -> BusinessCalendar:
        """A 24/7 calendar with no holidays: business time equals real elapsed time."""
        return cls(timezone=timezone, weekly=parse_weekly({"daily": "00:00-24:00"}))

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone."""
        return self._cache.zone

    # -- the time math ---------------------------------------------------------------------

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Business time from `start` to `end`; negative when `end` is before `start`."""
        first, last = to_micros(start), to_micros(end)
        if last < first:
            return -self.business_time_between(end, start)
        return timedelta(microseconds=self._between(first, last))

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest instant by which `duration` of business time has passed since `start`.

        A zero duration gives `start` itself (as aware UTC). Raises ValueError for a negative
        duration and NoBusinessTimeError when a whole calendar year on the way has no business
        time (an empty week, or every day a holiday), instead of searching forever.
        """
        if duration < timedelta(0):
            raise ValueError(f"cannot add a negative business duration: {duration}")
        moment = to_micros(start)
        return from_micros(self._advance(moment, duration // MICRO))

    def is_business_time(self, moment: datetime) -> bool:
        """True when `moment` falls inside an opening window."""
        micros = to_micros(moment)
        table = self._table(self._year_of(micros))
        index = bisect_right(table.starts, micros) - 1
        return index >= 0 and micros < table.ends[index]

    def windows_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The opening intervals that start on local date `day`, as aware UTC datetimes.

        Intervals are not merged across days, and a window lying wholly in a DST gap is left out.
        (UTC rather than local: a local time in a repeated hour never compares equal across zones.)
        """
        intervals = self._intervals_on(day, self._holidays_of(day.year))
        return [(from_micros(low), from_micros(high)) for low, high in intervals]

    def windows_for(self, day: date) -> tuple[Window, ...]:
        """The wall-clock windows that open on `day`: a half day's, none on a holiday, else the weekday's."""
        return self._windows_for(day, self._holidays_of(day.year))

    def holiday_dates(self, year: int) -> frozenset[date]:
        """Dates in `year` closed as holidays, public and custom (a half day on one still opens)."""
        return frozenset(day for day in self._holidays_of(year) if day.year == year)

    # -- internals -------------------------------------------------------------------------

    def _between(self, first: int, last: int) -> int:
        first_year, last_year = self._year_of(first), self._year_of(last)
        head = self._table(first_year)
        if first_year == last_year:
            return head.used_until(last) - head.used_until(first)
        middle = sum(self._table(year).total for year in range(first_year + 1, last_year))
        return head.total - head.used_until(first) + middle + self._table(last_year).used_until(last)

    def _advance(self, moment: int, amount: int) -> int:
        if amount == 0:
            return moment
        year = self._year_of(moment)
        table = self._table(year)
        wanted = table.used_until(moment) + amount
        while wanted > table.total:
            if table.total == 0:
                raise NoBusinessTimeError(f"{self.timezone} calendar has no business time in {year}")
            wanted -= table.total
            year += 1
            table = self._table(year)
        return table.moment_after(wanted)

    def _year_of(self, micros: int) -> int:
        year = 1970 + micros // _AVERAGE_YEAR_US
        while micros < self._year_begin(year):
            year -= 1
        while micros >= self._year_begin(year + 1):
            year += 1
        return year

    def _year_begin(self, year: int) -> int:
        begins = self._cache.begins
        begin = begins.get(year)
        if begin is None:
            if not _FIRST_YEAR <= year <= _LAST_YEAR:
                raise ValueError(f"year {year} is outside the supported {_FIRST_YEAR}-{_LAST_YEAR}")
            begin = begins[year] = wall_to_micros(date(year, 1, 1), time(0), self.zone)
        return begin

    def _table(self, year: int) -> _YearTable:
        tables = self._cache.years
        table = tables.get(year)
        if table is None:
            table = tables[year] = self._build_table(year)
        return table

    def _build_table(self, year: int) -> _YearTable:
        begin, end = self._year_begin(year), self._year_begin(year + 1)
        closed = self._holidays_of(year - 1) | self._holidays_of(year)
        day, last = date(year - 1, 12, 30), date(year, 12, 31)
        intervals: list[tuple[int, int]] = []
        while day <= last:
            intervals.extend(self._intervals_on(day, closed))
            day += timedelta(days=1)
        starts: list[int] = []
        ends: list[int] = []
        for low, high in sorted(intervals):
            low, high = max(low, begin), min(high, end)
            if low >= high:
                continue
            if ends and low <= ends[-1]:
                ends[-1] = max(ends[-1], high)
            else:
                starts.append(low)
                ends.append(high)
        before, through, total = [], [], 0
        for low, high in zip(starts, ends, strict=True):
            before.append(total)
            total += high - low
            through.append(total)
        return _YearTable(begin, end, starts, ends, before, through)

    def _intervals_on(self, day: date, closed: frozenset[date]) -> list[tuple[int, int]]:
        intervals = []
        for window in self._windows_for(day, closed):
            opens, closes = window.wall_bounds(day)
            low = wall_to_micros(opens.date(), opens.time(), self.zone)
            high = wall_to_micros(closes.date(), closes.time(), self.zone)
            if low < high:
                intervals.append((low, high))
        return intervals

    def _windows_for(self, day: date, closed: frozenset[date]) -> tuple[Window, ...]:
        if day in self.half_days:
            return self.half_days[day]
        if day in closed:
            return ()
        return self.weekly[day.weekday()]

    def _holidays_of(self, year: int) -> frozenset[date]:
        known = self._cache.holidays
        dates = known.get(year)
        if dates is None:
            public: Iterable[date] = ()
            if self.country is not None:
                public = holiday_data.country_holidays(self.country, subdiv=self.subdivision, years=year).keys()
            dates = known[year] = frozenset(public) | {day for day in self.holidays if day.year == year}
        return dates
