"""Agents' availability: online, away or offline. Set by the agent in the console (or over the
API), by an admin or supervisor, by the console itself (away after idle time, online when it
opens) and by sign-out or the last console closing (offline).

Going offline hands back the agent's open chats and messaging conversations and withdraws their
pending offers, so customers waiting live are offered to someone who is there. Every change is
published (`agent.availability`): supervisors' pages update live and routing backfills.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import AgentAvailability, Ticket, User
from helpdesk.models.base import utcnow
from helpdesk.models.routing import AVAILABILITY
from helpdesk.models.tickets import OPEN_STATUSES
from helpdesk.services import events, tickets
from helpdesk.services.routing import assign, offers, snapshot
from helpdesk.services.transactions import begin_write

# Reasons that the console itself set: opening it again brings the agent back online. An agent who
# chose offline (reason "agent", "admin") stays offline until they choose otherwise.
AUTOMATIC = ("signed out", "console closed", "idle")


class AvailabilityError(ValueError):
    """An unknown status."""


@dataclass(frozen=True)
class Status:
    user_id: int
    status: str
    reason: str
    changed_at: datetime | None


def status_of(user_id: int) -> Status:
    """The agent's availability (offline, never set, when they have no row)."""
    row = db.session.get(AgentAvailability, user_id)
    if row is None:
        return Status(user_id, "offline", "never set", None)
    return Status(user_id, row.status, row.reason, row.changed_at)


def set_status(user: User, status: str, reason: str = "agent") -> bool:
    """Set `user`'s availability to `status` because of `reason` (agent, admin, idle, signed out,
    console closed, console opened); commits and publishes. Whether it changed."""
    if status not in AVAILABILITY:
        raise AvailabilityError(_("status must be one of %(value)s", value=', '.join(AVAILABILITY)))
    begin_write()
    row = assign.lock_availability(user.id)
    if row.status == status:
        if row.reason != reason and reason in ("agent", "admin"):
            row.reason = reason  # a deliberate choice is remembered even when it changes nothing
            db.session.commit()
        else:
            db.session.rollback()
        return False
    previous = row.status
    row.status, row.reason, row.changed_at = status, reason[:32], utcnow()
    if previous == "offline" and status == "online":
        row.shift_started_at, row.shift_work = row.changed_at, 0.0  # a new shift; away and back is not
    db.session.commit()
    if status == "offline":
        _hand_back(user)
    events.publish("agent.availability", {"user_id": user.id, "name": user.name, "status": status,
                                          "previous": previous, "reason": reason,
                                          "group_ids": user.group_ids})
    return True


def came_online(user: User) -> bool:
    """The console opened: online again unless the agent chose to be offline or away."""
    current = status_of(user.id)
    if current.status == "offline" and current.reason in (*AUTOMATIC, "never set"):
        return set_status(user, "online", "console opened")
    if current.status == "away" and current.reason == "idle":
        return set_status(user, "online", "console opened")
    return False


def _hand_back(user: User) -> None:
    offers.withdraw_for(user)
    live = list(db.session.scalars(select(Ticket).where(
        Ticket.assignee_id == user.id, Ticket.status.in_(OPEN_STATUSES),
        snapshot.KIND_SQL.in_(("chat", "messaging")))))
    for ticket in live:
        assign.note(ticket.id, "handed back", user_id=user.id, name=user.name)
        tickets.update_ticket(ticket, None, assignee_id=None)


@dataclass(frozen=True)
class BoardRow:
    user_id: int
    name: str
    role: str
    status: str
    reason: str
    changed_at: datetime | None
    load: dict
    capacity: dict


def board(user_ids: list[int] | None = None) -> list[BoardRow]:
    """Every active staff member (or `user_ids`) with availability and open work per kind against
    capacity (their own, else the first routed group's default), for supervisors' live page."""
    query = select(User).where(User.active.is_(True)).order_by(User.name)
    if user_ids is not None:
        query = query.where(User.id.in_(user_ids))
    users = list(db.session.scalars(query))
    ids = [u.id for u in users]
    rows = {r.user_id: r for r in db.session.scalars(select(AgentAvailability).where(AgentAvailability.user_id.in_(ids)))}
    loads = snapshot.loads(ids)
    found = []
    for user in users:
        settings = snapshot.settings_of(user.groups[0].id if user.groups else None)
        capacity = snapshot.capacities([user.id], snapshot.group_defaults(settings))[user.id]
        row = rows.get(user.id)
        found.append(BoardRow(user.id, user.name, user.role, row.status if row else "offline",
                              row.reason if row else "never set", row.changed_at if row else None,
                              loads[user.id], capacity))
    return found
