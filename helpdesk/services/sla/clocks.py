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

from sqlalchemy import bindparam, select

import sla
from helpdesk.extensions import db
from helpdesk.models import SlaOutcome, Ticket
from helpdesk.models.base import utcnow
from helpdesk.models.tickets import OPEN_STATUSES
from helpdesk.services import many_rows
from helpdesk.services.sla import compliance as sla_compliance
from helpdesk.services.sla import config as sla_config
from helpdesk.services.sla import timeline as sla_timeline
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
    """The ticket row's SLA columns for `computed`, with `ticket_id` for the UPDATE's WHERE."""
    status = computed.status
    return {"ticket_id": computed.ticket_id, "sla_policy_id": int(status.policy_id) if status.policy_id is not None else None,
            "first_response_due_at": naive(status.due_at(FIRST)), "next_response_due_at": naive(status.due_at(NEXT)),
            "resolution_due_at": naive(status.due_at(RESOLUTION)), "sla_state": computed.state,
            "sla_due_at": computed.due_at, "sla_check_at": computed.check_at}


def _outcomes(computed: Computed) -> list[dict]:
    """The decided targets (see services.sla.compliance): stopped ones, and running ones that breached."""
    status = computed.status
    rows = []
    for c in (status.clock(FIRST), status.clock(RESOLUTION), *status.next_responses):
        if c is None or (c.running and c.state != sla.ClockState.BREACHED):
            continue
        met = c.state == sla.ClockState.MET
        counted = sla_compliance.counted_at(met, naive(c.stopped_at), naive(c.due_at))
        if counted is not None:
            rows.append({"ticket_id": computed.ticket_id, "target": c.kind.value, "policy_id": int(c.policy_id),
                         "due_at": naive(c.due_at), "stopped_at": naive(c.stopped_at), "counted_on": counted.date(),
                         "met": met})
    return rows


_tickets, _outcomes_table = Ticket.__table__, SlaOutcome.__table__
# Built once: this runs for every ingested message and every change of a ticket.
_CLOCK_COLUMNS = select(_tickets.c.id, _tickets.c.status, _tickets.c.priority, _tickets.c.channel,
                        _tickets.c.group_id, _tickets.c.customer_id, _tickets.c.created_at)
_LOCK = many_rows.by_dialect(lambda member: _CLOCK_COLUMNS.where(member(_tickets.c.id)).order_by(_tickets.c.id))
_LOCK["postgresql"] = _LOCK["postgresql"].with_for_update()  # SQLite's writer holds the whole database
_STORE = _tickets.update().where(_tickets.c.id == bindparam("ticket_id"))
_STORED = ("sla_policy_id", "first_response_due_at", "next_response_due_at", "resolution_due_at", "sla_state",
           "sla_due_at", "sla_check_at")
_STORE_MANY_PG = many_rows.update_from_arrays(_tickets, ("id", "ticket_id"), _STORED)
_FORGET_OUTCOMES = many_rows.by_dialect(lambda member: _outcomes_table.delete().where(member(_outcomes_table.c.ticket_id)))
_ADD_OUTCOME = _outcomes_table.insert()


def _locked(ids: Sequence[int]) -> list:
    """The rows of tickets `ids` as the clocks read them, locked for this transaction on PostgreSQL
    (SQLite's writer holds the whole database already)."""
    connection = db.session.connection()
    return list(connection.execute(_LOCK[connection.dialect.name], {"ids": list(ids)}))


def refresh_locked(ids: Sequence[int], now: datetime, policies: sla_config.PolicySet, *,
                   scanning: bool = False) -> list[Computed]:
    """Inside the caller's write transaction: recompute and store the clocks of tickets `ids`.
    Tickets whose timeline the engine refuses keep their columns (logged), never the whole batch."""
    db.session.flush()  # Core statements below: the caller's pending ORM changes first
    tickets = _locked(ids)
    lines = sla_timeline.timelines(tickets)
    done: list[Computed] = []
    outcome_rows: list[dict] = []
    for ticket in tickets:
        try:
            computed = compute(ticket, lines[ticket.id], policies, now, scanning=scanning)
        except (ValueError, KeyError) as exc:
            log.warning("SLA of ticket %s not computed: %s", ticket.id, exc)
            continue
        outcome_rows.extend(_outcomes(computed))
        done.append(computed)
    if done:
        connection = db.session.connection()
        rows = [row_values(computed) for computed in done]
        if connection.dialect.name == "postgresql":  # one statement, not one UPDATE per ticket
            connection.execute(_STORE_MANY_PG, many_rows.arrays(rows, ("ticket_id", *_STORED)))
        else:
            connection.execute(_STORE, rows)
        connection.execute(_FORGET_OUTCOMES[connection.dialect.name], {"ids": [c.ticket_id for c in done]})
        if outcome_rows:
            connection.execute(_ADD_OUTCOME, outcome_rows)
    return done


@dataclass(frozen=True)
class NewTicket:
    """A ticket inserted in the current transaction, with what its clocks depend on: nothing
    else has happened to it yet, so its timeline needs no reads."""

    id: int
    status: str
    priority: int
    channel: str
    group_id: int | None
    created_at: datetime
    tier: str | None  # of its customer
    organization_id: int | None
    customer_message_at: datetime | None  # its first message, unless automated


def start_locked(ticket: NewTicket, now: datetime, policies: sla_config.PolicySet) -> Computed:
    """Inside the caller's write transaction: the clocks of a ticket created in it, computed from
    what the caller knows and stored; `refresh_locked` would read the same timeline back."""
    messages = [("inbound", ticket.customer_message_at)] if ticket.customer_message_at is not None else []
    timeline = sla_timeline.build(ticket, ticket, [], messages)
    computed = compute(ticket, timeline, policies, now)
    connection = db.session.connection()
    connection.execute(_STORE, row_values(computed))
    if outcome_rows := _outcomes(computed):
        connection.execute(_ADD_OUTCOME, outcome_rows)
    return computed


def stop_locked(ticket_id: int, ticket_status: str) -> str | None:
    """Inside the caller's write transaction, when no policy is active: the ticket has no clocks
    whatever its timeline, so nothing needs reading; returns its state ("none" or None)."""
    state = "none" if ticket_status in OPEN_STATUSES else None
    connection = db.session.connection()
    connection.execute(_STORE, {"ticket_id": ticket_id, "sla_policy_id": None, "first_response_due_at": None,
                                "next_response_due_at": None, "resolution_due_at": None, "sla_state": state,
                                "sla_due_at": None, "sla_check_at": None})
    connection.execute(_FORGET_OUTCOMES[connection.dialect.name], {"ids": [ticket_id]})
    return state


def refresh_in_change(ticket_id: int, status: str, sla_state: str | None, now: datetime,
                      policies: sla_config.PolicySet) -> dict:
    """Inside the write transaction of a change to an existing ticket (a message ingested, a
    property changed): recompute its clocks there instead of in a write transaction of their own
    after the commit. Returns the event payload keys that say so (`sla_refreshed`, and the new
    `sla_state` when it was computed), which the after-commit subscriber then skips."""
    if not policies.policies:
        if status in OPEN_STATUSES and sla_state == "none":
            return {"sla_refreshed": True}  # open, no clock and none can start: "none" is already right
        return {"sla_state": stop_locked(ticket_id, status), "sla_refreshed": True}
    done = refresh_locked([ticket_id], now, policies)
    return {"sla_state": done[0].state if done else sla_state, "sla_refreshed": True}


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
    return done


def status_of(ticket: Ticket, now: datetime | None = None) -> sla.SlaStatus:
    """The clocks of one ticket at `now` without storing anything (the ticket page shows them)."""
    now = now or utcnow()
    timeline = sla_timeline.timelines([ticket])[ticket.id]
    return sla.compute_sla(timeline, sla_config.active_policies().policies, aware(now))
