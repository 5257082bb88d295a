"""Privacy records: each customer's consent per purpose (every change kept), erasure requests
waiting for an admin, and the retention policy of each channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db
from helpdesk.models.base import utcnow

PURPOSES = ("service", "surveys", "marketing")
CONSENT_SOURCES = ("form", "widget", "mail", "agent", "import", "portal")
ERASURE_STATES = ("pending", "done", "rejected")
RETENTION_ACTIONS = ("anonymise", "delete")


class Consent(db.Model):
    """One decision of one customer about one purpose; the newest row per purpose is in force,
    the older ones are its history."""

    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_customer_purpose", "customer_id", "purpose", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(16))
    granted: Mapped[bool]
    source: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # the agent, if any
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ErasureRequest(db.Model):
    """A request to erase a customer (from the portal): pending until an admin erases or rejects it."""

    __tablename__ = "erasure_requests"
    __table_args__ = (Index("ix_erasure_requests_state", "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    via: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]


class RetentionPolicy(db.Model):
    """Closed tickets of `channel` older than `days` are anonymised or deleted by the daily job."""

    __tablename__ = "retention_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), unique=True)
    days: Mapped[int]
    action: Mapped[str] = mapped_column(String(16), default="anonymise")
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
