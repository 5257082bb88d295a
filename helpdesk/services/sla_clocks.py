"""SLA clocks of stored tickets: compute them from the stored timeline and keep the ticket row's
SLA columns (policy, due times, state, next check) and the outcome rows in step.

`refresh(ids)` is what every path calls: the domain-event subscriber after each change of a ticket,
the scheduler for tickets whose state changes by itself, and the background recomputation after a
settings change. It locks the rows it rewrites (PostgreSQL) or takes the write lock (SQLite), so
the last writer always worked from the latest committed timeline.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update

import sla
from helpdesk.extensions import db
from helpdesk.models import SlaOutcome, Ticket
from helpdesk.models.base import utcnow
from helpdesk.models.tickets import OPEN_STATUSES
from helpdesk.services import sla_config, sla_timeline
from helpdesk.services.transactions import begin_write, retry_when_busy

log = logging.getLogger(__name__)
FIRST, NEXT, RESOLUTION = sla.TargetKind.FIRST_RESPONSE, sla.TargetKind.NEXT_RESPONSE, sla.TargetKind.RESOLUTION
TICK = timedelta(microseconds=1)


def naive(moment: datetime | None) -> datetime | None:
    """An aware datetime as the naive UTC the database stores."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment is not None else None


def aware(moment: datetime) -> datetime:
    """A stored naive-UTC datetime as an aware one."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@dataclass(frozen=True)
class Computed:
    """One ticket's clocks and the row values they give."""

    ticket_id: int
    status: sla.SlaStatus
    state: str | None
    due_at: datetime | None
    check_at: datetime | None


def state_of(status: sla.SlaStatus, ticket_status: str) -> str | None:
    """The ticket's SLA state: breached > warning > paused (every running clock paused) > ok; "none"
    for an open ticket without a running clock; None for a ticket that is not open. So the state is
    set exactly on open tickets, and the dashboard reads open tickets by state from one index."""
    if ticket_status not in OPEN_STATUSES:
        return None
    running = [c for c in status.clocks if c.running]
    if not running:
        return "none"
    if any(c.state == sla.ClockState.BREACHED for c in running):
        return "breached"
    if any(c.state == sla.ClockState.WARNING and not c.paused for c in running):
        return "warning"
    if all(c.paused for c in running):
        return "paused"
    return "ok"


def next_change(status: sla.SlaStatus) -> datetime | None:
    """The earliest instant after `status.now` at which a running clock changes state by itself."""
    instants = []
    for c in status.clocks:
        if not c.running or c.paused:
            continue
        if c.state == sla.ClockState.OK and c.warning_at is not None:
            instants.append(c.warning_at)
        if c.state in (sla.ClockState.OK, sla.ClockState.WARNING) and c.due_at is not None:
            instants.append(c.due_at + TICK)  # breached means past the due time, not at it
    return min(instants, default=None)


def compute(ticket: Ticket, timeline: list[sla.Event], policies: sla_config.PolicySet, now: datetime,
            *, scanning: bool = False) -> Computed:
    """Clocks of `ticket` at `now`. Outside a scan, a ticket already in warning or breached is due
    for a check at once, so that the scheduler (which alone fires crossings) looks at it."""
    status = sla.compute_sla(timeline, policies.policies, aware(now))
    state = state_of(status, ticket.status)
    running_dues = [c.due_at for c in status.clocks if c.running and c.due_at is not None]
    check = next_change(status) if state not in (None, "none") else None
    if not scanning and state in ("warning", "breached"):
        check = aware(now)
    due = min(running_dues, default=None) if state not in (None, "none") else None
    return Computed(ticket.id, status, state, naive(due), naive(check))


def row_values(computed: Computed) -> dict:
    """The ticket row's SLA columns for `computed`, keyed for a bulk UPDATE by primary key."""
    status = computed.status
    return {"id": computed.ticket_id, "sla_policy_id": int(status.policy_id) if status.policy_id is not None else None,
            "first_response_due_at": naive(status.due_at(FIRST)), "next_response_due_at": naive(status.due_at(NEXT)),
            "resolution_due_at": naive(status.due_at(RESOLUTION)), "sla_state": computed.state,
            "sla_due_at": computed.due_at, "sla_check_at": computed.check_at}


def _outcomes(computed: Computed) -> list[dict]:
    status = computed.status
    stopped = [c for c in (status.clock(FIRST), status.clock(RESOLUTION), *status.next_responses)
               if c is not None and not c.running]
    return [{"ticket_id": computed.ticket_id, "target": c.kind.value, "policy_id": int(c.policy_id),
             "due_at": naive(c.due_at), "stopped_at": naive(c.stopped_at), "stopped_on": c.stopped_at.date(),
             "met": c.state == sla.ClockState.MET} for c in stopped if c.stopped_at is not None]


def _locked(ids: Sequence[int]) -> list[Ticket]:
    query = select(Ticket).where(Ticket.id.in_(ids)).order_by(Ticket.id)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(of=Ticket)
    return list(db.session.scalars(query.execution_options(populate_existing=True)))


def refresh_locked(ids: Sequence[int], now: datetime, policies: sla_config.PolicySet, *,
                   scanning: bool = False) -> list[tuple[Ticket, Computed]]:
    """Inside the caller's write transaction: recompute and store the clocks of tickets `ids`.
    Tickets whose timeline the engine refuses keep their columns (logged), never the whole batch."""
    tickets = _locked(ids)
    lines = sla_timeline.timelines(tickets)
    done: list[tuple[Ticket, Computed]] = []
    outcome_rows: list[dict] = []
    for ticket in tickets:
        try:
            computed = compute(ticket, lines[ticket.id], policies, now, scanning=scanning)
        except (ValueError, KeyError) as exc:
            log.warning("SLA of ticket %s not computed: %s", ticket.id, exc)
            continue
        outcome_rows.extend(_outcomes(computed))
        done.append((ticket, computed))
    if done:
        # One executemany for the batch instead of the ORM's statement per changed ticket.
        db.session.execute(update(Ticket), [row_values(computed) for _, computed in done])
        db.session.execute(delete(SlaOutcome).where(SlaOutcome.ticket_id.in_([t.id for t, _ in done])))
        if outcome_rows:
            db.session.execute(SlaOutcome.__table__.insert(), outcome_rows)
    return done


@retry_when_busy
def refresh(ids: Iterable[int], now: datetime | None = None) -> list[Computed]:
    """Recompute and store the clocks of tickets `ids` at `now` (default: now); commits."""
    ids = sorted(set(ids))
    if not ids:
        return []
    now = now or utcnow()
    policies = sla_config.active_policies()
    begin_write()
    done = refresh_locked(ids, now, policies)
    db.session.commit()
    return [computed for _, computed in done]


def status_of(ticket: Ticket, now: datetime | None = None) -> sla.SlaStatus:
    """The clocks of one ticket at `now` without storing anything (the ticket page shows them)."""
    now = now or utcnow()
    timeline = sla_timeline.timelines([ticket])[ticket.id]
    return sla.compute_sla(timeline, sla_config.active_policies().policies, aware(now))
