"""Properties of the calendar's time math over generated calendars, zones, holidays and instants.

Calendars mix split, overlapping, overnight and whole-day windows on quarter hours, custom
holidays, half days and sometimes Spanish public holidays, in Europe/Madrid, America/New_York and
Australia/Sydney; instants cluster around each zone's 2026 DST changes. One property checks the
calendar against an independent oracle that walks a 15-minute grid through the zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sla import BusinessCalendar, NoBusinessTimeError, Window

QUARTER = timedelta(minutes=15)
ZONES = ("Europe/Madrid", "America/New_York", "Australia/Sydney")
# The instants (UTC) when each zone's clocks changed in 2026.
DST_CHANGES = {
    "Europe/Madrid": (datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)),
    "America/New_York": (datetime(2026, 3, 8, 7, tzinfo=UTC), datetime(2026, 11, 1, 6, tzinfo=UTC)),
    "Australia/Sydney": (datetime(2026, 4, 4, 16, tzinfo=UTC), datetime(2026, 10, 3, 16, tzinfo=UTC)),
}
DAYS_2026 = st.dates(date(2025, 12, 1), date(2027, 1, 31))
SETTINGS = settings(max_examples=200, deadline=None)


@st.composite
def windows(draw: st.DrawFn) -> Window:
    """A window on quarter hours, up to a whole day, possibly overnight."""
    start = draw(st.integers(0, 95)) * 15
    length = draw(st.integers(1, 96)) * 15
    end = (start + length) % 1440
    return Window(time(start // 60, start % 60), time(end // 60, end % 60))


DAY_HOURS = st.lists(windows(), max_size=3).map(lambda found: tuple(sorted(found)))


@st.composite
def calendars(draw: st.DrawFn, open_days: bool = True) -> BusinessCalendar:
    """A calendar in one of the three zones; with `open_days`, at least one weekday has hours."""
    weekly = tuple(draw(st.lists(DAY_HOURS, min_size=7, max_size=7)))
    if open_days:
        weekday = draw(st.integers(0, 6))
        weekly = weekly[:weekday] + ((draw(windows()), *weekly[weekday]),) + weekly[weekday + 1 :]
    spanish = draw(st.booleans())
    return BusinessCalendar(
        timezone=draw(st.sampled_from(ZONES)),
        weekly=weekly,
        country="ES" if spanish else None,
        subdivision=draw(st.sampled_from([None, "MD", "CT"])) if spanish else None,
        holidays=frozenset(draw(st.lists(DAYS_2026, max_size=8))),
        half_days=draw(st.dictionaries(DAYS_2026, DAY_HOURS, max_size=3)),
    )


def near_dst(calendar: BusinessCalendar, quarters: int = 4 * 24 * 3) -> st.SearchStrategy[datetime]:
    """Instants on the 15-minute grid within `quarters` quarter hours of one of the zone's DST changes."""
    changes = st.sampled_from(DST_CHANGES[calendar.timezone])
    return st.builds(lambda change, k: change + k * QUARTER, changes, st.integers(-quarters, quarters))


ANY_INSTANT = st.datetimes(datetime(2025, 12, 1), datetime(2027, 1, 31), timezones=st.just(UTC))
DURATIONS = st.timedeltas(timedelta(0), timedelta(days=40))


def instants(calendar: BusinessCalendar) -> st.SearchStrategy[datetime]:
    return st.one_of(ANY_INSTANT, near_dst(calendar))


@SETTINGS
@given(st.data(), calendars(), DURATIONS)
def test_add_then_between_returns_the_duration(
    data: st.DataObject, calendar: BusinessCalendar, duration: timedelta
) -> None:
    start = data.draw(instants(calendar))
    end = calendar.add_business_time(start, duration)
    assert end >= start
    assert calendar.business_time_between(start, end) == duration


@SETTINGS
@given(st.data(), calendars())
def test_between_then_add_lands_at_or_before_the_end(data: st.DataObject, calendar: BusinessCalendar) -> None:
    first, second = sorted(data.draw(st.lists(instants(calendar), min_size=2, max_size=2)))
    used = calendar.business_time_between(first, second)
    reached = calendar.add_business_time(first, used)
    assert first <= reached <= second
    assert calendar.business_time_between(reached, second) == timedelta(0)
    assert timedelta(0) <= used <= second - first


@SETTINGS
@given(st.data(), calendars(), DURATIONS, DURATIONS)
def test_add_is_monotonic_in_start_and_duration(
    data: st.DataObject, calendar: BusinessCalendar, shorter: timedelta, longer: timedelta
) -> None:
    shorter, longer = sorted((shorter, longer))
    early, late = sorted(data.draw(st.lists(instants(calendar), min_size=2, max_size=2)))
    assert calendar.add_business_time(early, shorter) <= calendar.add_business_time(early, longer)
    assert calendar.add_business_time(early, shorter) <= calendar.add_business_time(late, shorter)


@SETTINGS
@given(st.data(), calendars(open_days=False))
def test_between_is_additive_monotonic_and_antisymmetric(data: st.DataObject, calendar: BusinessCalendar) -> None:
    a, b, c = sorted(data.draw(st.lists(instants(calendar), min_size=3, max_size=3)))
    ab, bc, ac = (calendar.business_time_between(x, y) for x, y in ((a, b), (b, c), (a, c)))
    assert ab + bc == ac
    assert timedelta(0) <= ab <= ac
    assert calendar.business_time_between(c, a) == -ac


@SETTINGS
@given(st.sampled_from(ZONES), st.data())
def test_always_open_counts_real_time_across_dst(zone: str, data: st.DataObject) -> None:
    calendar = BusinessCalendar.always_open(zone)
    start, end = sorted(data.draw(st.lists(instants(calendar), min_size=2, max_size=2)))
    assert calendar.business_time_between(start, end) == end - start
    duration = data.draw(DURATIONS)
    assert calendar.add_business_time(start, duration) == start + duration


def oracle_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Business time from `start` to `end` (on the 15-minute grid) by walking the grid.

    A window opens the first time the local clock shows its start (or later) and closes the first
    time it shows its end: track the latest wall time seen so far and test it against the windows
    that open on that date or the day before.
    """
    zone = ZoneInfo(calendar.timezone)
    moment, latest_wall, total = start - timedelta(days=2), datetime.min, timedelta(0)
    while moment < end:
        latest_wall = max(latest_wall, moment.astimezone(zone).replace(tzinfo=None))
        if moment >= start and _inside_a_window(calendar, latest_wall):
            total += QUARTER
        moment += QUARTER
    return total


def _inside_a_window(calendar: BusinessCalendar, wall: datetime) -> bool:
    for day in (wall.date() - timedelta(days=1), wall.date()):
        for window in calendar.windows_for(day):
            opens, closes = window.wall_bounds(day)
            if opens <= wall < closes:
                return True
    return False


@settings(max_examples=150, deadline=None)
@given(st.data(), calendars(open_days=False))
def test_between_agrees_with_a_grid_walk_through_the_zone(data: st.DataObject, calendar: BusinessCalendar) -> None:
    first, second = sorted(data.draw(st.lists(near_dst(calendar, quarters=4 * 36), min_size=2, max_size=2)))
    assert calendar.business_time_between(first, second) == oracle_between(calendar, first, second)


@SETTINGS
@given(st.data(), calendars(), DAYS_2026)
def test_a_holiday_removes_its_windows_and_never_adds_time(
    data: st.DataObject, calendar: BusinessCalendar, holiday: date
) -> None:
    assume(holiday not in calendar.half_days)
    closed = BusinessCalendar(
        timezone=calendar.timezone,
        weekly=calendar.weekly,
        country=calendar.country,
        subdivision=calendar.subdivision,
        holidays=calendar.holidays | {holiday},
        half_days=calendar.half_days,
    )
    assert closed.windows_on(holiday) == []
    start, end = sorted(data.draw(st.lists(instants(calendar), min_size=2, max_size=2)))
    assert closed.business_time_between(start, end) <= calendar.business_time_between(start, end)


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(ZONES), ANY_INSTANT, st.timedeltas(timedelta(microseconds=1), timedelta(days=400)))
def test_an_empty_week_has_no_business_time(zone: str, start: datetime, duration: timedelta) -> None:
    calendar = BusinessCalendar(timezone=zone, weekly=((),) * 7, country="ES")
    assert calendar.business_time_between(start, start + duration) == timedelta(0)
    assert calendar.add_business_time(start, timedelta(0)) == start
    with pytest.raises(NoBusinessTimeError):
        calendar.add_business_time(start, duration)


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(ZONES), ANY_INSTANT, st.integers(1, 30))
def test_every_day_a_holiday_is_an_empty_year(zone: str, start: datetime, hours: int) -> None:
    # Open daily but every day of every year involved is a custom holiday.
    years = range(start.year - 1, start.year + 3)
    closed = frozenset(date(year, 1, 1) + timedelta(days=n) for year in years for n in range(366))
    calendar = BusinessCalendar.from_hours(zone, {"daily": "09:00-17:00"}, holidays=closed)
    with pytest.raises(NoBusinessTimeError):
        calendar.add_business_time(start, timedelta(hours=hours))
