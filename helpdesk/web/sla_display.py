"""How the console shows SLA clocks: "2h 5m left", "overdue 15m", "paused", per target on the ticket page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from helpdesk.i18n import gettext as _
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.models import Ticket
from helpdesk.models.base import utcnow
from helpdesk.services.sla import clocks as sla_clocks

TARGET_LABELS = {"first_response": _l("First response"), "next_response": _l("Next response"), "resolution": _l("Resolution")}


def span(delta: timedelta) -> str:
    """A short human duration: "3d 4h", "2h 5m", "12m", "40s"."""
    seconds = int(abs(delta).total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    return f"{minutes}m" if minutes else f"{seconds}s"


def time_left(due: datetime | None, now: datetime | None = None) -> str:
    """Wall-clock time until `due` (naive UTC): "2h 5m left" or "overdue 15m"."""
    if due is None:
        return ""
    delta = due - (now or utcnow())
    if delta.total_seconds() >= 0:
        return _("%(span)s left", span=span(delta))
    return _("overdue %(span)s", span=span(delta))


@dataclass(frozen=True)
class ClockView:
    """One target's clock as the ticket page shows it (business or calendar time, as the target counts)."""

    label: str
    state: str
    paused: bool
    due_at: datetime | None
    used: str
    left: str
    business_time: bool


def clocks_of(ticket: Ticket) -> list[ClockView]:
    """Every clock of `ticket` now, for the properties panel; [] when no policy applies."""
    status = sla_clocks.status_of(ticket)
    views = []
    for clock in status.clocks:
        left = clock.left
        views.append(ClockView(
            label=str(TARGET_LABELS.get(clock.kind.value, clock.kind.value)), state=clock.state.value, paused=clock.paused,
            due_at=sla_clocks.naive(clock.due_at), used=span(clock.used),
            left=_("%(span)s left", span=span(left)) if left.total_seconds() >= 0 else _("%(span)s over", span=span(left)),
            business_time=clock.business_time,
        ))
    return views
