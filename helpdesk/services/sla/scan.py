"""The SLA scheduler: find tickets whose clocks crossed warning or breach, and act once per crossing.

A scan reads, through an index, the tickets whose `sla_check_at` has come (the instant their state
changes by itself, or "now" after an event left them in warning or breached), recomputes them, and
for each running target in warning or breached tries to insert its crossing row. The unique key
(ticket, target, kind, target start) lets exactly one of any number of concurrent schedulers win;
the winner, in the same transaction, records the crossing in the ticket's timeline, notifies the
assignee and group, and applies the policy's escalation actions through `tickets.update_ticket`
(so they appear in the timeline too); after commit it publishes `sla.warning` or `sla.breached`.
Crossings without escalation actions are inserted and recorded a batch per transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

import sla
from helpdesk.extensions import db
from helpdesk.i18n import LANGUAGES, default_language
from helpdesk.models import Notification, SlaCrossing, Ticket, TicketEvent, User
from helpdesk.models.base import utcnow
from helpdesk.models.tickets import PRIORITIES
from helpdesk.services import events, many_rows, notifications, tickets
from helpdesk.services.sla import alerts as sla_alerts
from helpdesk.services.sla import config as sla_config
from helpdesk.services.sla.clocks import Computed, naive, refresh_locked
from helpdesk.services.transactions import begin_write, retry_when_busy

log = logging.getLogger(__name__)
BATCH = 500


@dataclass(frozen=True)
class Crossing:
    """A running target found in warning or breached."""

    ticket_id: int
    target: str
    kind: str  # warning | breached
    started_at: datetime
    due_at: datetime
    policy_id: int | None


@dataclass
class ScanReport:
    """What one scan did: tickets checked, crossings this scan acted on."""

    checked: int = 0
    fired: list[Crossing] = field(default_factory=list)


def crossings_of(computed: Computed) -> list[Crossing]:
    """The crossings a ticket's clocks show: each running target in warning (not paused) or breached."""
    if computed.state in (None, "none"):
        return []
    found = []
    for clock in computed.status.clocks:
        if not clock.running or clock.due_at is None:
            continue
        if clock.state == sla.ClockState.BREACHED:
            kind = "breached"
        elif clock.state == sla.ClockState.WARNING and not clock.paused:
            kind = "warning"
        else:
            continue
        found.append(Crossing(computed.ticket_id, clock.kind.value, kind, naive(clock.started_at),
                              naive(clock.due_at), int(clock.policy_id)))
    return found


def _due_ids(now: datetime, skip: set[int], limit: int) -> list[int]:
    query = select(Ticket.id).where(Ticket.sla_check_at <= now)
    if skip:
        query = query.where(Ticket.id.not_in(skip))
    return list(db.session.scalars(query.order_by(Ticket.sla_check_at, Ticket.id).limit(limit)))


@retry_when_busy
def _refresh_batch(ids: list[int], now: datetime, policies: sla_config.PolicySet) -> list[Computed]:
    begin_write()
    done = refresh_locked(ids, now, policies, scanning=True)
    db.session.commit()
    return done


def scan(now: datetime | None = None, *, batch: int = BATCH) -> ScanReport:
    """One pass of the scheduler at `now` (default: now): recompute every ticket due for a check,
    fire what crossed. Safe to run in any number of processes at once."""
    now = now or utcnow()
    policies = sla_config.active_policies()
    report = ScanReport()
    stuck: set[int] = set()  # rows still due after their refresh (a due time exactly at `now`)
    while ids := _due_ids(now, stuck, batch):
        refreshed = _refresh_batch(ids, now, policies)
        moved_on = {c.ticket_id for c in refreshed if c.check_at is None or c.check_at > now}
        stuck.update(set(ids) - moved_on)  # also tickets the engine refused: never loop on them
        found = [crossing for computed in refreshed for crossing in crossings_of(computed)]
        plain = [c for c in found if not _escalation_of(c, policies)]
        report.fired += fire_many(plain, policies)
        report.fired += [c for c in found if _escalation_of(c, policies) and fire(c, policies)]
        report.checked += len(ids)
        if len(ids) < batch:
            break
    db.session.commit()  # end the read snapshot
    return report


_CROSSINGS = SlaCrossing.__table__
# Built once per dialect: on SQLite an executemany of a prebuilt statement (SQLAlchemy batches it
# into multi-row INSERTs) instead of compiling a 500-row VALUES statement for every batch.
_CROSSING_COLUMNS = ("ticket_id", "target", "kind", "started_at", "due_at", "policy_id", "fired_at")
_INSERT_CROSSINGS = {
    # PostgreSQL: the batch as one array per column (one short statement, see services.many_rows)
    "postgresql": many_rows.insert_from_arrays(_CROSSINGS, _CROSSING_COLUMNS),
    "sqlite": sqlite_insert(_CROSSINGS)}
_INSERT_CROSSINGS = {name: statement.on_conflict_do_nothing().returning(
    _CROSSINGS.c.ticket_id, _CROSSINGS.c.target, _CROSSINGS.c.kind) for name, statement in _INSERT_CROSSINGS.items()}
_INSERT_EVENTS = TicketEvent.__table__.insert()
_INSERT_NOTIFICATIONS = Notification.__table__.insert()


def _insert_crossings(crossings: list[Crossing]) -> set[tuple[int, str, str]]:
    """Insert the crossing rows that no scheduler inserted yet; the (ticket, target, kind) of those
    this transaction inserted (a concurrent one that inserted first makes this one skip them)."""
    now = utcnow()
    values = [{"ticket_id": c.ticket_id, "target": c.target, "kind": c.kind, "started_at": c.started_at,
               "due_at": c.due_at, "policy_id": c.policy_id, "fired_at": now} for c in crossings]
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        values = many_rows.arrays(values, _CROSSING_COLUMNS)
    return {tuple(row) for row in db.session.connection().execute(_INSERT_CROSSINGS[dialect], values)}


def _escalation_of(crossing: Crossing, policies: sla_config.PolicySet) -> dict | None:
    row = policies.rows.get(crossing.policy_id) if crossing.policy_id is not None else None
    return (row.escalations or {}).get(crossing.kind) if row is not None else None


def _record(crossing: Crossing, ticket: Ticket, policies: sla_config.PolicySet) -> dict:
    """Add the crossing to the ticket's timeline and notify its assignee and group (no commit);
    returns the payload of the event to publish after commit."""
    text = _describe(crossing, ticket)
    db.session.add(TicketEvent(ticket_id=ticket.id, kind="sla", created_at=utcnow(), data=_event_data(crossing)))
    own = _assignee_texts([crossing], {ticket.id: ticket}).get(ticket.id)
    notifications.notify_ticket(ticket, f"sla.{crossing.kind}", text, assignee_text=own)
    return _payload(crossing, ticket, text, policies)


def _event_data(crossing: Crossing) -> dict:
    return {"crossing": crossing.kind, "target": crossing.target, "due_at": crossing.due_at.isoformat() + "Z"}


def _payload(crossing: Crossing, ticket: Ticket, text: str, policies: sla_config.PolicySet) -> dict:
    row = policies.rows.get(crossing.policy_id) if crossing.policy_id is not None else None
    return events.ticket_payload(ticket) | {
        "target": crossing.target, "due_at": crossing.due_at.isoformat() + "Z", "text": text,
        "policy_id": crossing.policy_id, "email_supervisors": bool(row and row.email_supervisors)}


def _record_many(crossings: list[Crossing], policies: sla_config.PolicySet) -> list[tuple[str, dict]]:
    """`_record` for many crossings with one INSERT of timeline events and one of notifications;
    the (kind, payload) of each, to publish after commit."""
    found = db.session.scalars(select(Ticket).where(Ticket.id.in_({c.ticket_id for c in crossings})))
    by_id = {ticket.id: ticket for ticket in found}
    now = utcnow()
    own = _assignee_texts(crossings, by_id)
    timeline, notes, payloads = [], [], []
    for crossing in crossings:
        ticket = by_id[crossing.ticket_id]
        text = _describe(crossing, ticket)
        timeline.append({"ticket_id": ticket.id, "actor_id": None, "kind": "sla", "created_at": now,
                         "data": _event_data(crossing)})
        notes += notifications.ticket_rows(ticket, f"sla.{crossing.kind}", text, now,
                                           assignee_text=own.get(ticket.id))
        payloads.append((crossing.kind, _payload(crossing, ticket, text, policies)))
    connection = db.session.connection()
    connection.execute(_INSERT_EVENTS, timeline)
    if notes:
        connection.execute(_INSERT_NOTIFICATIONS, notes)
    return payloads


def escalation_changes(actions: dict | None, ticket: Ticket) -> dict:
    """What a policy's escalation `actions` change on `ticket`: a higher priority (never a lower
    one), another group, another assignee; an assignee who may not work the new group is unassigned."""
    if not actions:
        return {}
    changes: dict = {}
    priority = actions.get("priority")
    if priority in PRIORITIES and PRIORITIES[priority] > ticket.priority:
        changes["priority"] = priority
    group_id = actions.get("group_id")
    if group_id and group_id != ticket.group_id:
        changes["group_id"] = group_id
    assignee_id = actions.get("assignee_id")
    if assignee_id and assignee_id != ticket.assignee_id:
        changes["assignee_id"] = assignee_id
    elif "group_id" in changes and ticket.assignee_id is not None:
        assignee = db.session.get(User, ticket.assignee_id)
        if assignee is None or not (assignee.sees_all_groups or group_id in assignee.group_ids):
            changes["assignee_id"] = None
    return changes


def _describe(crossing: Crossing, ticket: Ticket, language: str | None = None) -> str:
    return sla_alerts.describe(crossing.kind, crossing.target, ticket.id, ticket.subject, crossing.due_at, language)


def _assignee_texts(crossings: list[Crossing], by_id: dict[int, Ticket]) -> dict[int, str]:
    """{ticket id: the crossing in its assignee's language} for assignees who chose a language
    other than the helpdesk's default (the others, and the group, read the default text)."""
    assignees = {by_id[c.ticket_id].assignee_id for c in crossings} - {None}
    if not assignees:
        return {}
    chosen = dict(db.session.execute(select(User.id, User.language).where(User.id.in_(assignees),
                                                                          User.language.in_(list(LANGUAGES)))).all())
    default = default_language()
    return {c.ticket_id: _describe(c, by_id[c.ticket_id], chosen[by_id[c.ticket_id].assignee_id])
            for c in crossings if chosen.get(by_id[c.ticket_id].assignee_id, default) != default}


@retry_when_busy
def fire_many(crossings: list[Crossing], policies: sla_config.PolicySet) -> list[Crossing]:
    """Act, in one transaction, on the crossings (without escalation actions) that no scheduler
    acted on yet; returns those this call acted on."""
    if not crossings:
        return []
    begin_write()
    won = _insert_crossings(crossings)
    winners = [c for c in crossings if (c.ticket_id, c.target, c.kind) in won]
    if not winners:
        db.session.rollback()
        return []
    payloads = _record_many(winners, policies)
    db.session.commit()
    for kind in ("warning", "breached"):  # a batch each: job subscribers queue one job for it
        events.publish_many(f"sla.{kind}", [payload | {"escalated": {}} for k, payload in payloads if k == kind])
    return winners


@retry_when_busy
def fire(crossing: Crossing, policies: sla_config.PolicySet) -> bool:
    """Act on `crossing` unless some scheduler already did, its escalation actions in the same
    transaction as its crossing row; True when this call acted."""
    begin_write()
    if not _insert_crossings([crossing]):
        db.session.rollback()
        return False
    ticket = db.session.get(Ticket, crossing.ticket_id)
    payload = _record(crossing, ticket, policies)
    changes = escalation_changes(_escalation_of(crossing, policies), ticket)
    try:
        done = tickets.update_ticket(ticket, None, **changes) if changes else {}  # commits the crossing too
    except tickets.TicketError as exc:
        log.warning("SLA escalation of ticket %s not applied: %s", ticket.id, exc)
        done = {}
    db.session.commit()
    events.publish(f"sla.{crossing.kind}", payload | {"escalated": done})
    return True
