"""The call log: a customer's calls, an agent's calls, every call a supervisor may see; newest
first, pages keyed by id."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from helpdesk.extensions import db
from helpdesk.models import Call, Ticket, User
from helpdesk.models.tickets import OPEN_STATUSES
from helpdesk.services.calls.live import may_see

PAGE_SIZE = 50


class CallNotFound(LookupError):
    """No such call, or one this user may not see (indistinguishable on purpose)."""


@dataclass(frozen=True)
class CallPage:
    items: list[Call]
    next_before: int | None  # the `before` of the next page, None on the last one


def _visible(user: User):
    if user.sees_all_groups:
        return None
    return or_(Call.group_id.in_(user.group_ids or [-1]), Call.agent_id == user.id)


def calls(user: User, *, customer_id: int | None = None, agent_id: int | None = None, state: str | None = None,
          before: int | None = None, limit: int = PAGE_SIZE) -> CallPage:
    """The calls `user` may see, newest first, optionally of one customer, one agent or one state;
    `before` (a call id) continues a page."""
    query = select(Call).options(selectinload(Call.customer), selectinload(Call.agent))
    visible = _visible(user)
    if visible is not None:
        query = query.where(visible)
    if customer_id is not None:
        query = query.where(Call.customer_id == customer_id)
    if agent_id is not None:
        query = query.where(Call.agent_id == agent_id)
    if state is not None:
        query = query.where(Call.state == state)
    if before is not None:
        query = query.where(Call.id < before)
    rows = list(db.session.scalars(query.order_by(Call.id.desc()).limit(limit + 1)))
    return CallPage(rows[:limit], rows[limit - 1].id if len(rows) > limit else None)


def get_for(user: User, call_id: int) -> Call:
    """The call `call_id` if `user` may see it; else CallNotFound."""
    call = db.session.get(Call, call_id) if 0 < call_id < 2**31 else None
    if call is None or not may_see(user, call):
        raise CallNotFound(call_id)
    return call


def open_tickets_for(user: User, call: Call) -> list[Ticket]:
    """The caller's open tickets `user` may see: where an answered call can be logged as a note."""
    if call.customer_id is None:
        return []
    query = select(Ticket).where(Ticket.customer_id == call.customer_id, Ticket.status.in_(OPEN_STATUSES),
                                 Ticket.merged_into_id.is_(None))
    if not user.sees_all_groups:
        query = query.where(Ticket.group_id.in_(user.group_ids or [-1]))
    return list(db.session.scalars(query.order_by(Ticket.updated_at.desc()).limit(50)))
