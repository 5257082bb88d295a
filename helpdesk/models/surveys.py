"""Satisfaction surveys: their settings, templates per language, and each survey sent.

A survey belongs to one solve of one ticket: the unique key (ticket, kind, solved_at) is what keeps
a survey from going out twice for the same solve, even when two schedulers race. The token that
answers it is stored only as a SHA-256 hash, so a database leak does not leak working links.
A survey row copies who solved, the group, the channel and the SLA outcome at the time of the
solve, so reports never have to guess them later when the ticket has moved on.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import db
from helpdesk.models.base import utcnow
from helpdesk.models.customers import Customer
from helpdesk.models.tickets import Ticket

SURVEY_KINDS = ("csat", "nps")
SCALES = {"csat": (1, 5), "nps": (0, 10)}
# scheduled: waiting for its delay; sent: out, awaiting an answer; answered; expired; skipped: never
# sent (reason in skip_reason: rate limit, auto-reply, bounced address, channel off...); failed: the
# channel refused it.
SURVEY_STATES = ("scheduled", "sent", "answered", "expired", "skipped", "failed")


class SurveySettings(db.Model):
    """One row per survey kind. `channels` lists the channels a survey may go out through;
    `follow_up` is {"max_score": int, "action": "reopen" | "notify" | "none"}."""

    __tablename__ = "survey_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), unique=True)
    enabled: Mapped[bool] = mapped_column(default=False)
    delay_minutes: Mapped[int] = mapped_column(default=60)
    channels: Mapped[list] = mapped_column(JSON, default=list)
    min_days_between: Mapped[int] = mapped_column(default=7)  # per customer and kind
    expiry_days: Mapped[int] = mapped_column(default=14)
    follow_up: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SurveyTemplate(db.Model):
    """The words of one survey kind in one language: an e-mail subject and body (placeholders
    {customer_name}, {ticket_subject}, {ticket_number}, {link}) and the question chat channels ask."""

    __tablename__ = "survey_templates"
    __table_args__ = (UniqueConstraint("kind", "language", name="uq_survey_templates_kind_language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    question: Mapped[str] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Survey(db.Model):
    """One survey for one solve of one ticket, from scheduling to answer."""

    __tablename__ = "surveys"
    __table_args__ = (
        UniqueConstraint("ticket_id", "kind", "solved_at", name="uq_surveys_solve"),
        Index("ix_surveys_due", "state", "scheduled_for"),
        Index("ix_surveys_customer", "customer_id", "kind", "sent_at"),
        Index("ix_surveys_sent", "sent_at"),
        Index("ix_surveys_responded", "responded_at"),
        Index("ix_surveys_message", "message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who solved
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    channel: Mapped[str] = mapped_column(String(32))
    priority: Mapped[int]
    solved_at: Mapped[datetime]
    # The ticket's SLA outcomes at the solve: None where that target had no clock.
    sla_first_response_met: Mapped[bool | None]
    sla_resolution_met: Mapped[bool | None]
    state: Mapped[str] = mapped_column(String(16), default="scheduled")
    skip_reason: Mapped[str | None] = mapped_column(String(200))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # What chat buttons carry back (Telegram callback_data, WhatsApp list row ids): short, random,
    # never the ticket id. Not a secret like the token: the answer must also come from the customer.
    reference: Mapped[str | None] = mapped_column(String(24), unique=True)
    language: Mapped[str | None] = mapped_column(String(16))
    scheduled_for: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    responded_at: Mapped[datetime | None]
    score: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(Text)
    follow_up_done: Mapped[str | None] = mapped_column(String(16))  # reopened | notified
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship()
    customer: Mapped[Customer] = relationship()
