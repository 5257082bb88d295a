"""A ticket's SLA timeline, read from what the application stores.

- created: the ticket row, with the facts and status it had then (the first recorded change of a
  field tells its original value);
- customer messages: inbound messages that are not automated (auto-replies and bounces start nothing);
- agent replies: outbound messages that are not automated (acknowledgements are not answers) and
  not internal notes;
- status changes: "changed" events with a status, ingest's "status"/"reopened", "merged_into" (closed);
- facts changes: "changed" events with a priority or a group.

A message that arrived before its ticket was created (a back-dated mail, a merge) counts as
arriving at creation. Reads are batched: two queries for any number of tickets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select

import sla
from helpdesk.extensions import db
from helpdesk.models import Customer, Message, Ticket, TicketEvent
from helpdesk.models.tickets import PRIORITY_NAMES
from helpdesk.services import many_rows

STATUS_EVENTS = ("changed", "status", "reopened", "merged_into")

# Built once: a ticket's clocks are read on every ingested message and every change.
_customers, _events, _messages = Customer.__table__, TicketEvent.__table__, Message.__table__
_CUSTOMERS = many_rows.by_dialect(lambda member: select(_customers.c.id, _customers.c.tier, _customers.c.organization_id)
                                  .where(member(_customers.c.id)))
_STATUS_EVENTS = many_rows.by_dialect(lambda member: (
    select(_events.c.ticket_id, _events.c.kind, _events.c.data, _events.c.created_at)
    .where(member(_events.c.ticket_id), _events.c.kind.in_(STATUS_EVENTS)).order_by(_events.c.ticket_id, _events.c.id)))
_MESSAGES = many_rows.by_dialect(lambda member: (
    select(_messages.c.ticket_id, _messages.c.kind, _messages.c.created_at)
    .where(member(_messages.c.ticket_id), _messages.c.kind.in_(("inbound", "outbound")),
           _messages.c.is_automated.is_(False))
    .order_by(_messages.c.ticket_id, _messages.c.id)))


def _facts(ticket: Ticket, customer: Customer | None) -> sla.TicketFacts:
    return sla.TicketFacts(
        priority=PRIORITY_NAMES[ticket.priority],
        tier=customer.tier if customer is not None else None,
        organization=str(customer.organization_id) if customer is not None and customer.organization_id else None,
        group=str(ticket.group_id) if ticket.group_id is not None else None,
        channel=ticket.channel,
    )


def _originals(ticket: Ticket, rows: list[tuple[str, dict, datetime]]) -> tuple[str, str | None, str]:
    """The priority, group and status the ticket had when it was created."""
    priority, group, status = PRIORITY_NAMES[ticket.priority], ticket.group_id, ticket.status
    seen: set[str] = set()
    for kind, data, _ in rows:
        for name in ("priority", "group_id", "status"):
            change = (data or {}).get(name)
            if name in seen or not isinstance(change, list) or len(change) != 2:
                continue
            if kind == "changed" or name == "status":
                seen.add(name)
                if name == "priority":
                    priority = change[0]
                elif name == "group_id":
                    group = change[0]
                else:
                    status = change[0]
    if "status" not in seen and any(kind == "merged_into" for kind, _, _ in rows):
        status = "new" if ticket.status == "closed" else ticket.status
    return priority, group, status


def build(ticket: Ticket, customer: Customer | None, rows: list[tuple[str, dict, datetime]],
          messages: list[tuple[str, datetime]]) -> list[sla.Event]:
    """The SLA timeline of `ticket` from its status/fact events `rows` (kind, data, at) and its
    messages (kind, at), both oldest first."""
    created = ticket.created_at
    priority, group, status = _originals(ticket, rows)
    facts = replace(_facts(ticket, customer), priority=priority, group=str(group) if group is not None else None)
    timeline: list[sla.Event] = [sla.Created(created, facts, status)]
    for kind, data, at in rows:
        at = max(at, created)
        data = data or {}
        if kind == "merged_into":
            timeline.append(sla.StatusChanged(at, "closed"))
            continue
        change = data.get("status")
        if isinstance(change, list) and len(change) == 2:
            timeline.append(sla.StatusChanged(at, change[1]))
        if kind != "changed":
            continue
        new_priority, new_group = data.get("priority"), data.get("group_id")
        if isinstance(new_priority, list) or isinstance(new_group, list):
            if isinstance(new_priority, list):
                facts = replace(facts, priority=new_priority[1])
            if isinstance(new_group, list):
                facts = replace(facts, group=str(new_group[1]) if new_group[1] is not None else None)
            timeline.append(sla.FactsChanged(at, facts))
    for kind, at in messages:
        at = max(at, created)
        timeline.append(sla.CustomerMessage(at) if kind == "inbound" else sla.AgentReply(at))
    return timeline


def timelines(tickets: Iterable[Ticket]) -> dict[int, list[sla.Event]]:
    """The SLA timeline of each ticket, by id: three queries whatever the number of tickets.
    `tickets` may be Ticket objects or rows with the same columns."""
    tickets = list(tickets)
    if not tickets:
        return {}
    ids = [t.id for t in tickets]
    db.session.flush()  # Core reads below: pending ORM changes (a new priority, a customer's tier) first
    connection = db.session.connection()
    dialect = connection.dialect.name
    customers = {c.id: c for c in connection.execute(_CUSTOMERS[dialect], {"ids": sorted({t.customer_id for t in tickets})})}
    rows: dict[int, list] = defaultdict(list)
    for ticket_id, kind, data, at in connection.execute(_STATUS_EVENTS[dialect], {"ids": ids}):
        rows[ticket_id].append((kind, data, at))
    messages: dict[int, list] = defaultdict(list)
    for ticket_id, kind, at in connection.execute(_MESSAGES[dialect], {"ids": ids}):
        messages[ticket_id].append((kind, at))
    return {t.id: build(t, customers.get(t.customer_id), rows[t.id], messages[t.id]) for t in tickets}
