"""Automatic assignment: one ticket (`route_ticket`) or a group's unassigned queue in SLA order
(`backfill`), through the group's strategy (strategies.py).

Tickets (e-mail, web, API) are assigned outright; live chats and messaging conversations are
offered to one agent at a time (`RoutingOffer`, accepted or declined in the console, expired by a
job). A pending offer counts against the agent's capacity like an assigned conversation.

Concurrency: the decision runs in one write transaction that locks the ticket row and then the
chosen agent's availability row (FOR UPDATE on PostgreSQL; SQLite's writer holds the database),
counts that agent's open work again under the lock and only then assigns or offers. Two routers
(jobs, web processes) can therefore never fill one agent past capacity, nor assign one ticket twice.
Every decision leaves a `routing` line in the ticket's timeline that says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.i18n import in_language
from helpdesk.models import AgentAvailability, RoutingOffer, Ticket, TicketEvent
from helpdesk.models.base import utcnow
from helpdesk.models.tickets import OPEN_STATUSES
from helpdesk.services import events, tickets
from helpdesk.services.routing import reasons, snapshot
from helpdesk.services.routing.strategies import LIVE_KINDS, Choice, nobody_reason, rank, recent, share
from helpdesk.services.transactions import begin_write

# An agent who declined or let an offer of this ticket expire is not asked again for this long.
REFUSAL_MEMORY = timedelta(minutes=10)


@dataclass(frozen=True)
class Decision:
    ticket_id: int
    user_id: int
    action: str  # assigned | offered
    reason: dict
    offer_id: int | None = None


def note(ticket_id: int, action: str, **data) -> None:
    """Add a routing line to the ticket's timeline in the current transaction: `action` (assigned,
    offered, waiting, accepted, declined, expired, withdrawn, handed back) and its values, which
    the timeline puts in the reader's words (reasons.describe); `text` keeps them in English."""
    data = {"action": action, **data}
    db.session.add(TicketEvent(ticket_id=ticket_id, actor_id=None, kind="routing",
                               data={"text": reasons.in_english(data), **data}, created_at=utcnow()))


def _locking(statement):
    return statement.with_for_update() if db.engine.dialect.name == "postgresql" else statement


def lock_availability(user_id: int) -> AgentAvailability:
    """The agent's availability row, locked for this transaction (created offline when missing)."""
    row = db.session.scalars(_locking(select(AgentAvailability).where(AgentAvailability.user_id == user_id))
                             .execution_options(populate_existing=True)).first()
    if row is None:
        row = AgentAvailability(user_id=user_id, status="offline", reason="never set", changed_at=utcnow())
        db.session.add(row)
        db.session.flush()
    return row


def _refused(ticket_id: int) -> frozenset[int]:
    since = utcnow() - REFUSAL_MEMORY
    return frozenset(db.session.scalars(select(RoutingOffer.user_id).where(
        RoutingOffer.ticket_id == ticket_id, RoutingOffer.state.in_(("declined", "expired", "withdrawn")),
        RoutingOffer.created_at >= since)))


def _routable(ticket: Ticket | None) -> bool:
    if ticket is None or ticket.assignee_id is not None or ticket.group_id is None:
        return False
    if ticket.status not in OPEN_STATUSES or ticket.merged_into_id is not None:
        return False
    pending = select(RoutingOffer.id).where(RoutingOffer.ticket_id == ticket.id, RoutingOffer.state == "pending")
    return db.session.scalar(pending.limit(1)) is None


def _has_room_locked(choice: Choice, kind: str) -> AgentAvailability | None:
    """Lock the agent's row, then count their work again: another router may have just filled them.
    A row another router holds is skipped, not waited for: a router keeps the locks of agents it
    found full while it tries the next, so two routers waiting on each other's would deadlock.
    The skipped agent is tried again by the next backfill."""
    statement = select(AgentAvailability).where(AgentAvailability.user_id == choice.agent.id)
    if db.engine.dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    row = db.session.scalars(statement.execution_options(populate_existing=True)).first()
    if row is None or row.status != "online":
        return None
    load = snapshot.loads([choice.agent.id])[choice.agent.id].get(kind, 0)
    return row if load < choice.agent.capacity.get(kind, 0) else None


def route_ticket(ticket_id: int, *, note_waiting: bool = False) -> Decision | None:
    """Assign or offer ticket `ticket_id` under its group's strategy; commits, publishes. None when
    it is not routable (assigned, closed, offered, routing off) or nobody may take it now (with
    `note_waiting`, the timeline then says why it waits)."""
    begin_write()
    ticket = db.session.scalars(_locking(select(Ticket).where(Ticket.id == ticket_id))
                                .execution_options(populate_existing=True)).first()
    settings = snapshot.settings_of(ticket.group_id if ticket is not None else None)
    if not _routable(ticket) or settings.strategy == "off":
        db.session.rollback()
        return None
    agents = snapshot.agents_of(ticket.group_id, settings)
    work = snapshot.work_of(ticket)
    for choice in rank(settings.strategy, work, agents, _refused(ticket_id), utcnow()):
        availability = _has_room_locked(choice, work.kind)
        if availability is None:
            continue
        availability.last_assigned_at = utcnow()
        if work.kind in LIVE_KINDS:
            return _offer(ticket, choice, work.kind, settings.offer_timeout)
        credit(availability, choice.agent.capacity, work.kind)
        note(ticket.id, "assigned", user_id=choice.agent.id, name=choice.agent.name, why=choice.reason)
        tickets.update_ticket(ticket, None, assignee_id=choice.agent.id)
        return Decision(ticket.id, choice.agent.id, "assigned", choice.reason)
    if note_waiting:
        note(ticket.id, "waiting", why=nobody_reason(settings.strategy, work, agents))
        db.session.commit()
    else:
        db.session.rollback()
    return None


def credit(row: AgentAvailability, capacity: dict[str, int], kind: str) -> None:
    """Count one item of `kind` in the agent's work (`row`, locked by the caller): this shift's and
    the recent work, faded to now first (strategies.recent)."""
    taken, now = share(capacity, kind), utcnow()
    row.shift_work = (row.shift_work or 0.0) + taken
    row.recent_work = recent(row.recent_work or 0.0, row.recent_work_at, now) + taken
    row.recent_work_at = now


def credit_accepted(user_id: int, ticket: Ticket, kind: str) -> None:
    """Count an accepted offer in the agent's work (in the caller's transaction): a declined or
    expired offer took nothing of them, so offers count when accepted, tickets when assigned."""
    capacity = snapshot.capacities([user_id], snapshot.group_defaults(snapshot.settings_of(ticket.group_id)))[user_id]
    credit(lock_availability(user_id), capacity, kind)


def _offer(ticket: Ticket, choice: Choice, kind: str, timeout: int) -> Decision:
    now = utcnow()
    with in_language("en"):
        reason = reasons.strategy_words(choice.reason)
    offer = RoutingOffer(ticket_id=ticket.id, user_id=choice.agent.id, kind=kind, state="pending",
                         reason=reason[:255], created_at=now, expires_at=now + timedelta(seconds=timeout))
    db.session.add(offer)
    note(ticket.id, "offered", user_id=choice.agent.id, name=choice.agent.name, seconds=timeout, why=choice.reason)
    db.session.commit()
    events.publish("routing.offer", offer_payload(offer, ticket) | {"timeout": timeout})
    return Decision(ticket.id, choice.agent.id, "offered", choice.reason, offer.id)


def offer_payload(offer: RoutingOffer, ticket: Ticket | None = None) -> dict:
    """What the agent's console and the jobs need of an offer (its subject only for the agent)."""
    ticket = ticket or db.session.get(Ticket, offer.ticket_id)
    return {"offer_id": offer.id, "ticket_id": offer.ticket_id, "user_id": offer.user_id, "state": offer.state,
            "kind": offer.kind, "expires_at": offer.expires_at.isoformat() + "Z",
            "subject": ticket.subject if ticket is not None else "", "group_id": ticket.group_id if ticket else None}


def backfill(group_ids: list[int] | None = None, limit: int = 50) -> int:
    """Serve the unassigned queues of `group_ids` (every routed group when None) in SLA order until
    nobody may take more; returns how many tickets were assigned or offered."""
    done = 0
    for group_id in group_ids if group_ids is not None else snapshot.routed_groups():
        settings = snapshot.settings_of(group_id)
        if settings.strategy == "off":
            continue
        agents = snapshot.agents_of(group_id, settings)
        db.session.rollback()  # end the read: each routing is a write transaction of its own
        if not any(a.status == "online" and any(a.room(k) > 0 for k in a.capacity) for a in agents):
            continue
        full: set[str] = set()
        for ticket_id in snapshot.unassigned_queue(group_id, limit):
            kind = snapshot.kind_of_ticket(ticket_id)
            db.session.rollback()
            if kind in full:
                continue
            if route_ticket(ticket_id) is not None:
                done += 1
            elif settings.strategy != "skills":
                full.add(kind)  # nobody has room for this kind: later tickets of it cannot do better
    return done
