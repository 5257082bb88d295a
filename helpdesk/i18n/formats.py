"""Dates, times and numbers as the reader writes them: in their language (Babel's patterns) and their
time zone (zoneinfo). Stored timestamps are naive UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton, format_timedelta
from flask import Flask
from flask_babel import format_number, get_locale, get_timezone

from helpdesk.models.base import utcnow


@cache
def time_zones() -> tuple[str, ...]:
    """Every IANA time zone name zoneinfo knows, sorted (what a staff member may pick)."""
    return tuple(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))


def is_time_zone(name: str | None) -> bool:
    """Whether `name` is an IANA time zone name."""
    return bool(name) and name in time_zones()


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def local(value: datetime) -> datetime:
    """`value` (naive UTC or aware) in the reader's time zone."""
    return _aware(value).astimezone(ZoneInfo(str(get_timezone())))


def when(value: datetime | None, zone: bool = True) -> str:
    """A timestamp as the reader reads it: date and 24-hour time in their language and time zone,
    with the zone's short name ("7 dic 2026, 4:10 CET"); "—" for None."""
    if value is None:
        return "—"
    locale = get_locale() or Locale("en")
    moment = local(value)
    text = locale.datetime_formats["medium"].format(format_skeleton("Hm", moment, locale=locale),
                                                    format_date(moment, "medium", locale=locale))
    if not zone:
        return text
    return f"{text} {format_datetime(moment, 'z', tzinfo=moment.tzinfo, locale=locale)}"


def day(value: datetime | None) -> str:
    """The reader's calendar day of a timestamp ("7 dic 2026"); "—" for None."""
    return "—" if value is None else format_date(local(value), "medium", locale=get_locale() or Locale("en"))


def since(value: datetime | None, now: datetime | None = None) -> str:
    """How long ago (or how far ahead) a timestamp is, in the reader's words ("hace 5 minutos")."""
    if value is None:
        return "—"
    delta = _aware(value) - _aware(now or utcnow())
    return format_timedelta(delta, add_direction=True, locale=get_locale() or Locale("en"))


def number(value) -> str:
    """A number with the reader's digit grouping and decimal mark ("1.234,5")."""
    return "—" if value is None else format_number(value)


def init_app(app: Flask) -> None:
    """The template filters `when`, `day`, `since`, `number`, and `time_zones()` for pickers."""
    app.jinja_env.filters.update(when=when, day=day, since=since, number=number)
    app.jinja_env.globals["time_zones"] = time_zones
