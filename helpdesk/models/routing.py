"""Routing: agents' availability, capacities and skills, each group's assignment settings, and the
offers of live conversations made to one agent at a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db
from helpdesk.models.base import utcnow

AVAILABILITY = ("online", "away", "offline")
STRATEGIES = ("off", "round_robin", "least_loaded", "skills")
KINDS = ("chat", "messaging", "ticket")
SKILL_KINDS = ("language", "tag", "channel")


class AgentAvailability(db.Model):
    """One staff member's availability. `reason` says what set it (`agent`, `admin`, `idle`,
    `signed out`, `console closed`, `console opened`); routing locks this row (FOR UPDATE) while
    it gives the agent work, so two routers never fill the same agent past capacity."""

    __tablename__ = "agent_availability"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="offline")
    reason: Mapped[str] = mapped_column(String(32), default="agent")
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When routing last gave this agent work: round robin serves the longest-waiting agent first.
    last_assigned_at: Mapped[datetime | None]
    # The current shift (since the agent last came online from offline) and the work routing gave
    # them in it, each item as a share of their capacity (shown in routing's reasons).
    shift_started_at: Mapped[datetime | None]
    shift_work: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    # The same work fading since `recent_work_at` (strategies.recent): skills routing evens this out.
    recent_work: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    recent_work_at: Mapped[datetime | None]


class AgentCapacity(db.Model):
    """How much open work of one channel kind (chat, messaging, ticket) an agent takes at once;
    without a row the agent's group default applies."""

    __tablename__ = "agent_capacities"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    limit: Mapped[int] = mapped_column()


class AgentSkill(db.Model):
    """A skill with a level from 1 (basic) to 5 (expert): a language (`es`), a tag or topic
    (`billing`) or a channel kind (`chat`)."""

    __tablename__ = "agent_skills"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    level: Mapped[int] = mapped_column(default=3)


class GroupRouting(db.Model):
    """A group's automatic assignment: the strategy, default capacities per channel kind and how
    long an agent has to accept an offered chat or messaging conversation."""

    __tablename__ = "group_routing"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    strategy: Mapped[str] = mapped_column(String(16), default="off")
    chat_capacity: Mapped[int] = mapped_column(default=3)
    messaging_capacity: Mapped[int] = mapped_column(default=2)
    ticket_capacity: Mapped[int] = mapped_column(default=20)
    offer_timeout: Mapped[int] = mapped_column(default=30)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RoutingOffer(db.Model):
    """A live conversation offered to one agent: pending until accepted, declined or expired."""

    __tablename__ = "routing_offers"
    __table_args__ = (Index("ix_routing_offers_ticket_state", "ticket_id", "state"),
                      Index("ix_routing_offers_user_state", "user_id", "state"),
                      Index("ix_routing_offers_state_expires", "state", "expires_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending accepted declined expired withdrawn
    reason: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    answered_at: Mapped[datetime | None]
