"""Golden cases for BusinessCalendar, each worked out by hand in its comment.

2026 facts used below: DST in Europe/Madrid starts 03-29 (02:00 -> 03:00, 01:00 UTC) and ends
10-25 (03:00 -> 02:00, 01:00 UTC); America/New_York starts 03-08 (02:00 -> 03:00) and ends 11-01
(02:00 -> 01:00); Australia/Sydney ends 04-05 (03:00 -> 02:00) and starts 10-04 (02:00 -> 03:00).
Spain: 01-06 (Epiphany, Tuesday) and 12-08 (Immaculate Conception, Tuesday) are national holidays;
the Community of Madrid (MD) adds 04-02 (Maundy Thursday), 11-02 and 12-07 (Mondays).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sla import BusinessCalendar, NoBusinessTimeError, Window

MADRID = ZoneInfo("Europe/Madrid")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
H = timedelta(hours=1)
M = timedelta(minutes=1)


def at(zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def office(**options: Any) -> BusinessCalendar:
    return BusinessCalendar.from_hours("Europe/Madrid", {"mon-fri": "09:00-17:00"}, **options)


def daily(zone: str, hours: str) -> BusinessCalendar:
    return BusinessCalendar.from_hours(zone, {"daily": hours})


# -- weekly hours -------------------------------------------------------------------------------


def test_friday_afternoon_rolls_over_the_weekend() -> None:
    # Friday 16:30 + 2h with 09:00-17:00 weekdays: 30m on Friday, 1h30 on Monday = Monday 10:30.
    result = office().add_business_time(at(MADRID, 2026, 1, 9, 16, 30), 2 * H)
    assert result == at(MADRID, 2026, 1, 12, 10, 30)
    assert result.tzinfo == UTC


def test_a_working_week_ends_at_friday_closing_not_monday_opening() -> None:
    # Monday 09:00 + 40h = five full days of 8h; the 40th hour ends Friday 17:00.
    assert office().add_business_time(at(MADRID, 2026, 2, 2, 9), 40 * H) == at(MADRID, 2026, 2, 6, 17)


def test_start_outside_hours_counts_from_the_next_opening() -> None:
    # Saturday 12:00 + 1h: nothing at the weekend, Monday 09:00 + 1h = Monday 10:00.
    assert office().add_business_time(at(MADRID, 2026, 2, 7, 12), H) == at(MADRID, 2026, 2, 9, 10)


def test_lunch_break_is_skipped() -> None:
    # 09:00-14:00 and 15:00-18:00: Monday 13:30 + 1h = 30m before lunch + 30m after = 15:30.
    calendar = BusinessCalendar.from_hours("Europe/Madrid", {"mon-fri": "09:00-14:00, 15:00-18:00"})
    assert calendar.add_business_time(at(MADRID, 2026, 2, 2, 13, 30), H) == at(MADRID, 2026, 2, 2, 15, 30)
    # From 08:00 to 20:00 on a Monday: 5h + 3h = 8h.
    assert calendar.business_time_between(at(MADRID, 2026, 2, 2, 8), at(MADRID, 2026, 2, 2, 20)) == 8 * H
    assert not calendar.is_business_time(at(MADRID, 2026, 2, 2, 14, 30))
    assert calendar.is_business_time(at(MADRID, 2026, 2, 2, 15))


def test_split_shift_with_a_different_saturday() -> None:
    # Saturday 10:00-14:00 only: Saturday 13:00 + 2h = 1h Saturday + Monday 09:00 + 1h = Monday 10:00.
    calendar = BusinessCalendar.from_hours(
        "Europe/Madrid", {"mon-fri": ["08:00-12:00", "16:00-20:00"], "sat": "10:00-14:00"}
    )
    assert calendar.add_business_time(at(MADRID, 2026, 2, 7, 13), 2 * H) == at(MADRID, 2026, 2, 9, 9)
    # Weekday 11:00 + 2h: 1h until 12:00, then 16:00 + 1h = 17:00.
    assert calendar.add_business_time(at(MADRID, 2026, 2, 9, 11), 2 * H) == at(MADRID, 2026, 2, 9, 17)


def test_overnight_window_belongs_to_the_day_it_opens() -> None:
    # Nights Monday to Friday, 22:00-06:00. Friday 05:00 + 2h: 1h left of Thursday's night, then
    # Friday's night opens at 22:00 + 1h = Friday 23:00.
    calendar = BusinessCalendar.from_hours("Europe/Madrid", {"mon-fri": "22:00-06:00"})
    assert calendar.add_business_time(at(MADRID, 2026, 2, 6, 5), 2 * H) == at(MADRID, 2026, 2, 6, 23)
    # Saturday 05:30 + 1h: 30m left of Friday's night, no Saturday or Sunday night, Monday 22:30.
    assert calendar.add_business_time(at(MADRID, 2026, 2, 7, 5, 30), H) == at(MADRID, 2026, 2, 9, 22, 30)
    assert calendar.business_time_between(at(MADRID, 2026, 2, 9, 12), at(MADRID, 2026, 2, 10, 12)) == 8 * H


def test_always_open_is_real_elapsed_time() -> None:
    # 24/7 across Madrid's spring-forward: 2026-03-28 12:00 CET + 24h = 2026-03-29 13:00 CEST.
    calendar = BusinessCalendar.always_open("Europe/Madrid")
    assert calendar.add_business_time(at(MADRID, 2026, 3, 28, 12), 24 * H) == at(MADRID, 2026, 3, 29, 13)
    span = (utc(2026, 1, 1), utc(2028, 1, 1))
    assert calendar.business_time_between(*span) == span[1] - span[0] == timedelta(days=730)


# -- holidays and half days ---------------------------------------------------------------------


def test_spanish_national_holiday_epiphany() -> None:
    # Monday 2026-01-05 16:00 + 2h: 1h Monday, Tuesday 6 January closed, Wednesday 09:00 + 1h = 10:00.
    result = office(country="ES").add_business_time(at(MADRID, 2026, 1, 5, 16), 2 * H)
    assert result == at(MADRID, 2026, 1, 7, 10)
    assert office(country="ES").windows_on(date(2026, 1, 6)) == []


def test_immaculate_conception_and_the_madrid_bridge_monday() -> None:
    # Friday 2026-12-04 16:00 + 3h: 1h Friday. Nationally Monday 7 is open: 09:00 + 2h = 11:00.
    start = at(MADRID, 2026, 12, 4, 16)
    assert office(country="ES").add_business_time(start, 3 * H) == at(MADRID, 2026, 12, 7, 11)
    # In Madrid (MD) Monday 7 and Tuesday 8 are both closed: Wednesday 9, 11:00.
    assert office(country="ES", subdivision="MD").add_business_time(start, 3 * H) == at(MADRID, 2026, 12, 9, 11)


def test_subdivision_holiday_only_where_it_applies() -> None:
    # Wednesday 2026-04-01 16:00 + 2h: nationally Thursday 2 is open, 09:00 + 1h = 10:00. In Madrid
    # Thursday 2 (Maundy Thursday) and Friday 3 (Good Friday, national) are closed: Monday 6, 10:00.
    start = at(MADRID, 2026, 4, 1, 16)
    assert office(country="ES").add_business_time(start, 2 * H) == at(MADRID, 2026, 4, 2, 10)
    assert office(country="ES", subdivision="MD").add_business_time(start, 2 * H) == at(MADRID, 2026, 4, 6, 10)
    # Monday 2026-11-02: 8h nationally, none in Madrid.
    day = (at(MADRID, 2026, 11, 2), at(MADRID, 2026, 11, 3))
    assert office(country="ES").business_time_between(*day) == 8 * H
    assert office(country="ES", subdivision="MD").business_time_between(*day) == timedelta(0)


def test_custom_holiday_closes_the_day() -> None:
    # 2026-03-19 (Thursday) closed: Wednesday 16:00 + 2h = 1h + Friday 09:00 + 1h = Friday 10:00.
    calendar = office(holidays=[date(2026, 3, 19)])
    assert calendar.add_business_time(at(MADRID, 2026, 3, 18, 16), 2 * H) == at(MADRID, 2026, 3, 20, 10)
    assert date(2026, 3, 19) in calendar.holiday_dates(2026)


def test_christmas_eve_half_day() -> None:
    # Thursday 2026-12-24 only 09:00-13:00. 12:00 + 2h: 1h on the 24th, the 25th a holiday, the
    # weekend closed, Monday 28 09:00 + 1h = 10:00.
    calendar = office(country="ES", half_days={date(2026, 12, 24): "09:00-13:00"})
    assert calendar.add_business_time(at(MADRID, 2026, 12, 24, 12), 2 * H) == at(MADRID, 2026, 12, 28, 10)
    assert calendar.windows_for(date(2026, 12, 24)) == (Window.parse("09:00-13:00"),)


def test_half_day_wins_over_a_holiday() -> None:
    # Epiphany is a holiday, but this team opens 10:00-12:00 that day: Monday 16:30 + 1h =
    # 30m Monday + Tuesday 10:00 + 30m = Tuesday 10:30.
    calendar = office(country="ES", half_days={date(2026, 1, 6): "10:00-12:00"})
    assert calendar.add_business_time(at(MADRID, 2026, 1, 5, 16, 30), H) == at(MADRID, 2026, 1, 6, 10, 30)


def test_overnight_window_runs_into_new_year_holiday_and_across_the_year_end() -> None:
    # Nights Monday-Friday 22:00-06:00, Spain. Thursday 2026-12-31's night still runs into
    # 1 January, but Friday 1 January (a holiday) opens no night of its own.
    calendar = BusinessCalendar.from_hours("Europe/Madrid", {"mon-fri": "22:00-06:00"}, country="ES")
    assert calendar.business_time_between(at(MADRID, 2026, 12, 31, 21), at(MADRID, 2027, 1, 1, 12)) == 8 * H
    # Thursday 23:00 + 8h: 7h to 06:00 on the 1st, then Monday 4 January 22:00 + 1h = 23:00.
    assert calendar.add_business_time(at(MADRID, 2026, 12, 31, 23), 8 * H) == at(MADRID, 2027, 1, 4, 23)


# -- DST ----------------------------------------------------------------------------------------


def test_madrid_spring_forward_window_is_two_real_hours() -> None:
    # 01:00-04:00 on 2026-03-29: 01:00 CET (00:00 UTC) to 04:00 CEST (02:00 UTC) = 2h.
    calendar = daily("Europe/Madrid", "01:00-04:00")
    assert calendar.business_time_between(at(MADRID, 2026, 3, 29), at(MADRID, 2026, 3, 29, 12)) == 2 * H
    # 01:30 + 1h: 30m to 02:00, clocks jump to 03:00, 30m more = 03:30 CEST (01:30 UTC).
    assert calendar.add_business_time(at(MADRID, 2026, 3, 29, 1, 30), H) == utc(2026, 3, 29, 1, 30)


def test_madrid_fall_back_window_is_four_real_hours() -> None:
    # 01:00-04:00 on 2026-10-25: 01:00 CEST (23:00 UTC the 24th) to 04:00 CET (03:00 UTC) = 4h.
    calendar = daily("Europe/Madrid", "01:00-04:00")
    assert calendar.business_time_between(at(MADRID, 2026, 10, 25), at(MADRID, 2026, 10, 25, 12)) == 4 * H
    # 01:00 + 3h30 real = 02:30 UTC = 03:30 CET.
    assert calendar.add_business_time(at(MADRID, 2026, 10, 25, 1), 3 * H + 30 * M) == utc(2026, 10, 25, 2, 30)


def test_madrid_window_opening_inside_the_gap_opens_at_the_jump() -> None:
    # 02:30-05:00: 02:30 does not exist on 2026-03-29, so it opens at 03:00 CEST (01:00 UTC) and
    # closes 05:00 CEST (03:00 UTC) = 2h; an ordinary day has 2h30.
    calendar = daily("Europe/Madrid", "02:30-05:00")
    assert calendar.windows_on(date(2026, 3, 29)) == [(at(MADRID, 2026, 3, 29, 3), at(MADRID, 2026, 3, 29, 5))]
    assert calendar.business_time_between(utc(2026, 3, 28, 12), utc(2026, 3, 29, 12)) == 2 * H
    assert calendar.business_time_between(utc(2026, 3, 27, 12), utc(2026, 3, 28, 12)) == 2 * H + 30 * M


def test_madrid_window_closing_inside_the_repeated_hour_closes_the_first_time() -> None:
    # 00:00-02:30 on 2026-10-25 closes the first time clocks show 02:30 (CEST, 00:30 UTC):
    # 00:00 CEST is 22:00 UTC the 24th, so 2h30.
    calendar = daily("Europe/Madrid", "00:00-02:30")
    assert calendar.windows_on(date(2026, 10, 25)) == [(utc(2026, 10, 24, 22), utc(2026, 10, 25, 0, 30))]


def test_new_york_spring_forward_and_fall_back() -> None:
    # 00:00-06:00 daily: 2026-03-08 loses 02:00-03:00 (5h); 2026-11-01 repeats 01:00-02:00 (7h).
    calendar = daily("America/New_York", "00:00-06:00")
    spring = (at(NEW_YORK, 2026, 3, 8), at(NEW_YORK, 2026, 3, 8, 12))
    fall = (at(NEW_YORK, 2026, 11, 1), at(NEW_YORK, 2026, 11, 1, 12))
    assert calendar.business_time_between(*spring) == 5 * H
    assert calendar.business_time_between(*fall) == 7 * H
    # 00:30 EDT + 2h: 30m to 01:00, 1h to 02:00 EDT, clocks go back to 01:00, 30m = 01:30 EST (06:30 UTC).
    assert calendar.add_business_time(at(NEW_YORK, 2026, 11, 1, 0, 30), 2 * H) == utc(2026, 11, 1, 6, 30)


def test_new_york_office_week_with_a_dst_weekend_is_still_forty_hours() -> None:
    # Friday 2026-03-06 17:00 to Friday 2026-03-13 17:00: the lost hour falls on Sunday, 5 x 8h.
    calendar = BusinessCalendar.from_hours("America/New_York", {"mon-fri": "09:00-17:00"})
    assert calendar.business_time_between(at(NEW_YORK, 2026, 3, 6, 17), at(NEW_YORK, 2026, 3, 13, 17)) == 40 * H


def test_sydney_dst_end_and_start() -> None:
    # Sundays 00:00-12:00: 2026-04-05 repeats 02:00-03:00 (13h); 2026-10-04 skips 02:00-03:00 (11h).
    calendar = BusinessCalendar.from_hours("Australia/Sydney", {"sun": "00:00-12:00"})
    assert calendar.business_time_between(at(SYDNEY, 2026, 4, 5), at(SYDNEY, 2026, 4, 6)) == 13 * H
    assert calendar.business_time_between(at(SYDNEY, 2026, 10, 4), at(SYDNEY, 2026, 10, 5)) == 11 * H
    # Saturday 2026-10-03 18:00 + 3h: Sunday 00:00 AEST + 2h reaches 02:00, jumps to 03:00, +1h = 04:00 AEDT.
    assert calendar.add_business_time(at(SYDNEY, 2026, 10, 3, 18), 3 * H) == at(SYDNEY, 2026, 10, 4, 4)


def test_sydney_always_open_across_dst_end() -> None:
    # 24/7: Saturday 2026-04-04 12:00 AEDT + 24h real = Sunday 11:00 AEST.
    calendar = BusinessCalendar.always_open("Australia/Sydney")
    assert calendar.add_business_time(at(SYDNEY, 2026, 4, 4, 12), 24 * H) == at(SYDNEY, 2026, 4, 5, 11)


# -- conventions and errors ---------------------------------------------------------------------


def test_naive_datetimes_mean_utc() -> None:
    # 15:30 UTC on Friday 2026-01-09 is 16:30 in Madrid; + 2h = Monday 10:30 Madrid = 09:30 UTC.
    assert office().add_business_time(datetime(2026, 1, 9, 15, 30), 2 * H) == utc(2026, 1, 12, 9, 30)
    assert office().business_time_between(datetime(2026, 1, 9, 15, 30), utc(2026, 1, 12, 9, 30)) == 2 * H


def test_between_is_negative_when_reversed() -> None:
    start, end = at(MADRID, 2026, 2, 2, 10), at(MADRID, 2026, 2, 3, 10)
    assert office().business_time_between(end, start) == -8 * H


def test_zero_duration_returns_start_and_negative_is_refused() -> None:
    start = at(MADRID, 2026, 2, 7, 12)
    assert office().add_business_time(start, timedelta(0)) == start
    with pytest.raises(ValueError):
        office().add_business_time(start, -H)


def test_empty_week_raises_instead_of_searching_forever() -> None:
    calendar = BusinessCalendar.from_hours("Europe/Madrid", {})
    start = at(MADRID, 2026, 2, 2, 9)
    with pytest.raises(NoBusinessTimeError):
        calendar.add_business_time(start, M)
    assert calendar.business_time_between(start, start + timedelta(days=800)) == timedelta(0)


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ValueError):
        Window.parse("9 to 5")
    with pytest.raises(ValueError):
        BusinessCalendar.from_hours("Europe/Madrid", {"someday": "09:00-17:00"})
    with pytest.raises(ValueError):
        BusinessCalendar(timezone="Europe/Madrid", weekly=((),) * 6)
    with pytest.raises(Exception):  # noqa: B017 - zoneinfo and holidays raise their own kinds
        BusinessCalendar.from_hours("Mars/Olympus", {"daily": "09:00-17:00"})
    with pytest.raises(NotImplementedError):
        office(country="XX")


def test_day_ranges_wrap_and_later_keys_win() -> None:
    calendar = BusinessCalendar.from_hours("UTC", {"fri-mon": "10:00-12:00", "sun": ""})
    assert [len(day) for day in calendar.weekly] == [1, 0, 0, 0, 1, 1, 0]
    assert str(calendar.weekly[0][0]) == "10:00-12:00"
