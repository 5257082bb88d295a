"""SLA time math: business calendars, policies and clocks (pure: no Flask, no database).

- `BusinessCalendar` (sla.calendar): a time zone, weekly windows, holidays and half days;
  `add_business_time` and `business_time_between`, exact across DST changes.
- `SlaPolicy`, `Target`, `Conditions`, `TicketFacts` (sla.policy): which tickets a policy covers
  and the goals it sets.
- Timeline events (sla.timeline) and `compute_sla` (sla.clock): per-target clocks from a ticket's
  history, recomputable at will.

Time convention: functions take aware datetimes, a naive datetime means UTC (as the application
stores it), and every datetime returned is aware UTC; `as_utc` applies that rule.
"""

from sla.calendar import BusinessCalendar, NoBusinessTimeError
from sla.clock import ClockState, SlaStatus, TargetClock, compute_sla
from sla.hours import Window, parse_weekly, parse_windows
from sla.policy import Conditions, SlaPolicy, Target, TargetKind, TicketFacts, policy_by_id, select_policy
from sla.timeline import AgentReply, Created, CustomerMessage, Event, FactsChanged, PolicyChanged, StatusChanged
from sla.wallclock import as_utc

__all__ = [
    "AgentReply",
    "BusinessCalendar",
    "ClockState",
    "Conditions",
    "Created",
    "CustomerMessage",
    "Event",
    "FactsChanged",
    "NoBusinessTimeError",
    "PolicyChanged",
    "SlaPolicy",
    "SlaStatus",
    "StatusChanged",
    "Target",
    "TargetClock",
    "TargetKind",
    "TicketFacts",
    "Window",
    "as_utc",
    "compute_sla",
    "parse_weekly",
    "parse_windows",
    "policy_by_id",
    "select_policy",
]
