"""Tickets, their tags and their stored timeline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import db
from helpdesk.models.base import utcnow
from helpdesk.models.customers import Customer
from helpdesk.models.staff import Group, User

STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
OPEN_STATUSES = ("new", "open", "pending", "on_hold")
# Stored as numbers so lists sort by urgency with an index; names are what people and the API see.
PRIORITIES = {"low": 0, "normal": 1, "high": 2, "urgent": 3}
PRIORITY_NAMES = {rank: name for name, rank in PRIORITIES.items()}


class TicketLabels:
    """What people see of a ticket's id and priority; shared by Ticket and the rows ingestion reads."""

    id: int
    priority: int

    @property
    def number(self) -> int:
        return self.id

    @property
    def priority_name(self) -> str:
        return PRIORITY_NAMES[self.priority]


class Ticket(TicketLabels, db.Model):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_group_status_updated", "group_id", "status", "updated_at", "id"),
        Index("ix_tickets_assignee_status_updated", "assignee_id", "status", "updated_at", "id"),
        Index("ix_tickets_status_updated", "status", "updated_at", "id"),
        # Lists without a status condition (the `all` view): per group for agents, overall for supervisors.
        Index("ix_tickets_group_updated", "group_id", "updated_at", "id"),
        Index("ix_tickets_updated", "updated_at", "id"),
        Index("ix_tickets_customer_created", "customer_id", "created_at"),
        Index("ix_tickets_created", "created_at"),  # search's `created>2026-11-01`
        # Search's `priority:urgent password`: the urgent tickets' ids from the index alone (a
        # sequential scan of the table read 4,887 pages from outside shared buffers each time).
        Index("ix_tickets_priority_group", "priority", "group_id", "id"),
        Index("ix_tickets_thread", "source", "thread_key"),
        Index("ix_tickets_first_response_due", "first_response_due_at"),
        Index("ix_tickets_resolution_due", "resolution_due_at"),
        Index("ix_tickets_next_response_due", "next_response_due_at"),
        # SLA: the scheduler reads tickets whose state changes by now; the dashboard counts open
        # tickets by state (covering index) and lists those at risk by due time.
        Index("ix_tickets_sla_check", "sla_check_at"),
        Index("ix_tickets_sla_state_due", "sla_state", "sla_due_at"),
        Index("ix_tickets_sla_board", "sla_state", "group_id", "assignee_id", "priority", "channel"),
        # Saved views' counts in the navigation: a group's tickets of a status by priority, channel
        # or assignee, counted from the index alone instead of reading each ticket's row.
        Index("ix_tickets_view_counts", "group_id", "status", "priority", "channel", "assignee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="new")
    priority: Mapped[int] = mapped_column(default=PRIORITIES["normal"])
    channel: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(128))
    thread_key: Mapped[str | None] = mapped_column(String(255))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_response_at: Mapped[datetime | None]
    last_customer_message_at: Mapped[datetime | None]
    last_agent_message_at: Mapped[datetime | None]
    solved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # Filled by the SLA engine; kept on the row so dashboards filter with an index.
    first_response_due_at: Mapped[datetime | None]
    resolution_due_at: Mapped[datetime | None]
    next_response_due_at: Mapped[datetime | None]
    sla_policy_id: Mapped[int | None]  # the policy in force (no foreign key: a deleted policy just stops applying)
    # ok | warning | breached | paused | none (open, no running clock); None exactly when not open
    sla_state: Mapped[str | None] = mapped_column(String(16))
    sla_due_at: Mapped[datetime | None]  # the earliest due time of a running target
    sla_check_at: Mapped[datetime | None]  # when the state changes next without any event

    customer: Mapped[Customer] = relationship()
    group: Mapped[Group | None] = relationship()
    assignee: Mapped[User | None] = relationship()
    tag_rows: Mapped[list[TicketTag]] = relationship(cascade="all, delete-orphan", order_by="TicketTag.name")

    @property
    def tags(self) -> list[str]:
        return [t.name for t in self.tag_rows]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TicketTag(db.Model):
    __tablename__ = "ticket_tags"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class TicketEvent(db.Model):
    """One entry of a ticket's timeline: who changed what, when."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship()


class TicketLink(db.Model):
    """Two related tickets; stored once per direction so each ticket finds its links with one index.
    `kind`: related (an agent linked them), split_into / split_from (messages moved by a split)."""

    __tablename__ = "ticket_links"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    linked_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True, index=True)
    kind: Mapped[str] = mapped_column(String(16), default="related")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
