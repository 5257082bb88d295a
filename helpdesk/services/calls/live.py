"""What the console shows while a call rings: who should see it (the available agents of the
queue's group) and the popup each of them gets (the caller, their open tickets that agent may
see), and an agent taking the call from the popup."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import AgentAvailability, Call, Customer, Group, Ticket, User, group_members
from helpdesk.models.base import utcnow
from helpdesk.models.tickets import OPEN_STATUSES
from helpdesk.services import events
from helpdesk.services.transactions import begin_write

POPUP_TICKETS = 5


class CallTaken(Exception):
    """Someone else answered the call already (or it is over)."""


BUSY_AT_MOST = timedelta(hours=4)  # a call whose `ended` never came does not keep its agent busy for ever


def busy_agents() -> set[int]:
    """Staff on a call now: answered (in the last BUSY_AT_MOST) and not yet ended."""
    return set(db.session.scalars(select(Call.agent_id).where(
        Call.state == "answered", Call.ended_at.is_(None), Call.agent_id.is_not(None),
        Call.answered_at >= utcnow() - BUSY_AT_MOST)))


def unavailable_agents(user_ids: set[int]) -> set[int]:
    """Of `user_ids`, those who said they take no work now: away, or offline by their own or an
    admin's choice (services/routing/availability). An automatic "offline" (no console, signed
    out) is not a choice: their open console says they are there."""
    return set(db.session.scalars(select(AgentAvailability.user_id).where(
        AgentAvailability.user_id.in_(user_ids),
        (AgentAvailability.status == "away")
        | ((AgentAvailability.status == "offline") & AgentAvailability.reason.in_(("agent", "admin"))))))


def available_agents(group_id: int | None, online: Iterable[int]) -> list[User]:
    """The active staff members of `group_id` (everyone, without a group) among the `online`
    user ids who are available (not away) and not on another call: whom a ringing call pops up for."""
    online = set(online) - busy_agents()
    online -= unavailable_agents(online)
    if not online:
        return []
    query = select(User).where(User.id.in_(online), User.active)
    if group_id is not None:
        query = query.join(group_members, group_members.c.user_id == User.id).where(group_members.c.group_id == group_id)
    return list(db.session.scalars(query.order_by(User.id)))


def _open_tickets(customer_id: int | None) -> list[Ticket]:
    if customer_id is None:
        return []
    return list(db.session.scalars(select(Ticket).where(
        Ticket.customer_id == customer_id, Ticket.status.in_(OPEN_STATUSES), Ticket.merged_into_id.is_(None))
        .order_by(Ticket.updated_at.desc()).limit(50)))


def popups(call_id: int, users: list[User]) -> list[tuple[User, dict]]:
    """The popup of ringing call `call_id` for each of `users`: the caller (customer id and name,
    number), the queue and group, and the caller's open tickets that user may see (newest first,
    at most POPUP_TICKETS). Empty when the call is no longer ringing."""
    call = db.session.get(Call, call_id)
    if call is None or call.state != "ringing" or not users:
        return []
    customer = db.session.get(Customer, call.customer_id) if call.customer_id else None
    group = db.session.get(Group, call.group_id) if call.group_id else None
    open_tickets = _open_tickets(call.customer_id)
    base = {"call_id": call.id, "from": call.from_number, "queue": call.queue, "group": group.name if group else None,
            "customer": {"id": customer.id, "name": customer.name} if customer else None,
            "started_at": call.started_at.isoformat() + "Z"}
    found = []
    for user in users:
        mine = [t for t in open_tickets if user.sees_all_groups or t.group_id in user.group_ids][:POPUP_TICKETS]
        found.append((user, base | {"tickets": [{"id": t.id, "number": t.number, "subject": t.subject,
                                                  "status": t.status} for t in mine]}))
    return found


def may_see(user: User, call: Call) -> bool:
    """Whether `user` may see `call`: supervisors and admins all, agents their groups' and their own."""
    return user.sees_all_groups or call.agent_id == user.id or (call.group_id is not None and call.group_id in user.group_ids)


def take(call: Call, user: User) -> Call:
    """`user` answers the ringing `call` from the console popup: they are recorded as the agent who
    took it, and the popup goes away for everyone else (`call.answered`). CallTaken when another
    agent has it or it is over; taking one's own call again changes nothing. Commits."""
    begin_write()
    call = db.session.get(Call, call.id)
    if call.agent_id == user.id and call.answered_at is not None:
        db.session.commit()
        return call
    if call.state != "ringing":
        db.session.rollback()
        raise CallTaken(call.id)
    call.agent_id, call.agent_ref, call.answered_at, call.state = user.id, user.email, utcnow(), "answered"
    db.session.commit()
    events.publish("call.answered", {"call_id": call.id, "state": call.state, "group_id": call.group_id,
                                     "customer_id": call.customer_id, "agent_id": call.agent_id})
    return call
