"""SLA compliance, defined once for the dashboard, the reports and the API.

Compliance over a period = met ÷ (met + missed), over the targets decided in that period:
- a target is **met** when it stopped (first response sent, ticket solved, ...) by its due time;
  it counts at the moment it stopped;
- a target is **missed** from the moment it breached (its due time passed while it ran), whether
  the ticket is still open or not; it counts at its due time, and stays missed when it stops later.
A period with no decided target has no compliance (None), never 100 %.

The SLA engine stores one `sla_outcomes` row per decided target (services.sla.clocks), with the
UTC day it counts on (`counted_on`), so the dashboard reads its figures from one index; report
facts date their SLA facts with `counted_at` below, so reports and the API agree with it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import SlaOutcome


def counted_at(met: bool, stopped_at: datetime | None, due_at: datetime | None) -> datetime | None:
    """The moment a decided target counts: when it stopped if met, when it breached if missed."""
    if met:
        return stopped_at
    return due_at if due_at is not None else stopped_at


def percent(met: int, missed: int) -> float | None:
    """met ÷ (met + missed) in percent, one decimal; None when nothing was decided."""
    return round(100 * met / (met + missed), 1) if met or missed else None


def by_day(first: date) -> dict[date, tuple[int, int]]:
    """(met, missed) targets per UTC day from `first` on (index ix_sla_outcomes_counted)."""
    query = (select(SlaOutcome.counted_on, SlaOutcome.met, func.count()).where(SlaOutcome.counted_on >= first)
             .group_by(SlaOutcome.counted_on, SlaOutcome.met))
    days: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for day, met, count in db.session.execute(query):
        day = date.fromisoformat(day) if isinstance(day, str) else day
        days[day][0 if met else 1] += count
    return {day: (met, missed) for day, (met, missed) in days.items()}
