"""What routing knows at the moment of a decision, read from the database: the agents of a group
(availability, capacities, skills, open work per channel kind) and the unassigned queue."""

from __future__ import annotations

from sqlalchemy import case, func, select

from helpdesk.extensions import db
from helpdesk.models import (
    AgentAvailability,
    AgentCapacity,
    AgentSkill,
    GroupRouting,
    RoutingOffer,
    Ticket,
    User,
    group_members,
)
from helpdesk.models.routing import KINDS
from helpdesk.models.tickets import OPEN_STATUSES
from helpdesk.services.routing.strategies import Agent, Work, kind_of

DEFAULTS = GroupRouting(strategy="off", chat_capacity=3, messaging_capacity=2, ticket_capacity=20, offer_timeout=30)

# The channel kind of a ticket row, in SQL (strategies.kind_of in Python).
KIND_SQL = case((Ticket.channel == "webchat", "chat"),
                (Ticket.channel.in_(("telegram", "whatsapp", "messenger")), "messaging"), else_="ticket")


def settings_of(group_id: int | None) -> GroupRouting:
    """The group's routing settings (defaults, strategy off, when it has none)."""
    row = db.session.get(GroupRouting, group_id) if group_id is not None else None
    return row if row is not None else DEFAULTS


def group_defaults(settings: GroupRouting) -> dict[str, int]:
    return {"chat": settings.chat_capacity, "messaging": settings.messaging_capacity, "ticket": settings.ticket_capacity}


def loads(user_ids: list[int]) -> dict[int, dict[str, int]]:
    """Open assigned tickets plus pending offers per agent and channel kind."""
    found: dict[int, dict[str, int]] = {uid: {} for uid in user_ids}
    if not user_ids:
        return found
    rows = db.session.execute(select(Ticket.assignee_id, KIND_SQL, func.count())
                              .where(Ticket.assignee_id.in_(user_ids), Ticket.status.in_(OPEN_STATUSES))
                              .group_by(Ticket.assignee_id, KIND_SQL))
    for uid, kind, count in rows:
        found[uid][kind] = found[uid].get(kind, 0) + count
    offers = db.session.execute(select(RoutingOffer.user_id, RoutingOffer.kind, func.count())
                                .where(RoutingOffer.user_id.in_(user_ids), RoutingOffer.state == "pending")
                                .group_by(RoutingOffer.user_id, RoutingOffer.kind))
    for uid, kind, count in offers:
        found[uid][kind] = found[uid].get(kind, 0) + count
    return found


def capacities(user_ids: list[int], defaults: dict[str, int]) -> dict[int, dict[str, int]]:
    """Each agent's capacity per kind: their own where set, else the group's default."""
    found = {uid: dict(defaults) for uid in user_ids}
    for row in db.session.scalars(select(AgentCapacity).where(AgentCapacity.user_id.in_(user_ids))):
        if row.kind in KINDS:
            found[row.user_id][row.kind] = row.limit
    return found


def agents_of(group_id: int, settings: GroupRouting | None = None) -> list[Agent]:
    """Every active member of the group as routing sees them now."""
    settings = settings or settings_of(group_id)
    rows = db.session.execute(
        select(User.id, User.name, AgentAvailability.status, AgentAvailability.last_assigned_at,
               AgentAvailability.shift_work, AgentAvailability.recent_work, AgentAvailability.recent_work_at)
        .join(group_members, group_members.c.user_id == User.id)
        .outerjoin(AgentAvailability, AgentAvailability.user_id == User.id)
        .where(group_members.c.group_id == group_id, User.active.is_(True))
        .order_by(User.id)).all()
    ids = [row.id for row in rows]
    load, capacity = loads(ids), capacities(ids, group_defaults(settings))
    skills: dict[int, dict] = {uid: {} for uid in ids}
    if ids:
        for skill in db.session.scalars(select(AgentSkill).where(AgentSkill.user_id.in_(ids))):
            skills[skill.user_id][(skill.kind, skill.value)] = skill.level
    return [Agent(id=row.id, name=row.name, status=row.status or "offline", capacity=capacity[row.id],
                  load=load[row.id], skills=skills[row.id], last_assigned_at=row.last_assigned_at,
                  shift_work=row.shift_work or 0.0, recent_work=row.recent_work or 0.0,
                  recent_work_at=row.recent_work_at) for row in rows]


def work_of(ticket: Ticket) -> Work:
    """The ticket as routing sees it: kind, language, tags and SLA standing."""
    language = ticket.customer.language if ticket.customer is not None else None
    return Work(ticket_id=ticket.id, kind=kind_of(ticket.channel), language=language, tags=tuple(ticket.tags),
                breached=ticket.sla_state == "breached", due_at=ticket.sla_due_at, created_at=ticket.created_at,
                urgent=ticket.sla_state in ("warning", "breached"))


def unassigned_queue(group_id: int, limit: int) -> list[int]:
    """Ids of the group's open, unassigned tickets without a pending offer, in SLA order: breached
    first, then the nearest due, then the oldest."""
    offered = select(RoutingOffer.id).where(RoutingOffer.ticket_id == Ticket.id, RoutingOffer.state == "pending")
    return list(db.session.scalars(
        select(Ticket.id).where(Ticket.group_id == group_id, Ticket.assignee_id.is_(None),
                                Ticket.status.in_(OPEN_STATUSES), Ticket.merged_into_id.is_(None), ~offered.exists())
        .order_by(case((Ticket.sla_state == "breached", 0), else_=1), Ticket.sla_due_at.is_(None),
                  Ticket.sla_due_at, Ticket.created_at, Ticket.id)
        .limit(limit)))


def routed_groups() -> list[int]:
    """Groups whose assignment is on."""
    return list(db.session.scalars(select(GroupRouting.group_id).where(GroupRouting.strategy != "off")))


def kind_of_ticket(ticket_id: int) -> str:
    """The channel kind of one ticket, read without loading it."""
    return kind_of(db.session.scalar(select(Ticket.channel).where(Ticket.id == ticket_id)))
