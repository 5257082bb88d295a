"""Policies and times shared by the clock tests.

All tickets are in February 2026 in Madrid, on an office calendar of 09:00-17:00 Monday to
Friday (Monday is the 2nd, Friday the 6th). `t(day, hour, minute)` is a Madrid time that month.

Policies: `standard` (first response 4h, next response 8h, resolution 16h, all business time;
resolution paused while `pending` or `on_hold`) and `urgent` for priority urgent (first response
1h, resolution 4h, business time, resolution paused while `pending`); `chat` (first response
10 minutes of calendar time) is only used when pinned.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sla import BusinessCalendar, Conditions, SlaPolicy, Target, TargetKind, TicketFacts

MADRID = ZoneInfo("Europe/Madrid")
H = timedelta(hours=1)
MIN = timedelta(minutes=1)
OFFICE = BusinessCalendar.from_hours("Europe/Madrid", {"mon-fri": "09:00-17:00"})
FIRST, NEXT, RESOLUTION = TargetKind.FIRST_RESPONSE, TargetKind.NEXT_RESPONSE, TargetKind.RESOLUTION

URGENT = SlaPolicy(
    id="urgent",
    name="Urgent",
    conditions=Conditions(priorities=frozenset({"urgent"})),
    targets=(Target(FIRST, H), Target(RESOLUTION, 4 * H, pause_statuses=frozenset({"pending"}))),
    calendar=OFFICE,
)
STANDARD = SlaPolicy(
    id="standard",
    name="Standard",
    targets=(
        Target(FIRST, 4 * H, warning_fraction=0.75),
        Target(NEXT, 8 * H),
        Target(RESOLUTION, 16 * H, pause_statuses=frozenset({"pending", "on_hold"})),
    ),
    calendar=OFFICE,
)
CHAT = SlaPolicy(
    id="chat",
    name="Chat",
    conditions=Conditions(channels=frozenset({"never-matched"})),
    targets=(Target(FIRST, 10 * MIN, business_time=False),),
)
POLICIES = [URGENT, STANDARD, CHAT]
NORMAL = TicketFacts(priority="normal", channel="email")


def t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 2, day, hour, minute, tzinfo=MADRID)
