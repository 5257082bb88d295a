"""Outbound webhooks: endpoints subscribed to event types, and the log of every delivery."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db
from helpdesk.models.base import utcnow

WEBHOOK_EVENTS = ("ticket.created", "ticket.updated", "message.created", "sla.warning", "sla.breached",
                  "survey.answered", "trigger")


class Webhook(db.Model):
    """An endpoint that gets a signed JSON POST for each event it subscribes to. `allow_private`:
    an admin let it reach a private or loopback address (and plain http). `paused_at`: set after
    `failures` consecutive failed attempts; nothing is sent until an admin resumes it."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list] = mapped_column(JSON, default=list)
    secret_sealed: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    allow_private: Mapped[bool] = mapped_column(default=False)
    failures: Mapped[int] = mapped_column(default=0)
    paused_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WebhookDelivery(db.Model):
    """One event sent (or being sent) to one webhook: the exact body, each attempt's outcome."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_webhook", "webhook_id", "id"),
                      Index("ix_webhook_deliveries_webhook_ticket", "webhook_id", "ticket_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    # queued | waiting (for an earlier delivery of the same ticket to this endpoint) | retrying | delivered | failed
    state: Mapped[str] = mapped_column(String(16), default="queued")
    # The ticket the event is about: one ticket's deliveries to one endpoint go out in the order staged.
    ticket_id: Mapped[int | None]
    attempts: Mapped[int] = mapped_column(default=0)
    response_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(300))
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
