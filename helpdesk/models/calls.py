"""Phone calls reported by a CTI account (a PBX or a cloud phone system) and the events that
made them, one row per (call, event kind) so a re-delivered event changes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import db
from helpdesk.models.base import utcnow

CALL_EVENTS = ("ringing", "answered", "ended", "voicemail")
# ringing -> answered -> completed; ringing -> missed (nobody answered) or abandoned (the caller
# hung up while waiting); `voicemail` marks a missed call that left a message.
CALL_STATES = ("ringing", "answered", "completed", "missed", "abandoned")


class Call(db.Model):
    __tablename__ = "calls"
    __table_args__ = (
        UniqueConstraint("account_id", "external_id", name="uq_calls_account_external"),
        Index("ix_calls_started", "started_at"),
        Index("ix_calls_customer", "customer_id", "started_at"),
        Index("ix_calls_agent", "agent_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("channel_accounts.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(16), default="ringing")
    from_number: Mapped[str | None] = mapped_column(String(32))  # E.164, None when withheld
    to_number: Mapped[str | None] = mapped_column(String(32))
    queue: Mapped[str | None] = mapped_column(String(100))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    agent_ref: Mapped[str | None] = mapped_column(String(320))  # the e-mail or extension the PBX named
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    talk_seconds: Mapped[int | None]  # the PBX's duration of the conversation (handle time)
    cause: Mapped[str | None] = mapped_column(String(32))
    voicemail: Mapped[bool] = mapped_column(default=False)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"), index=True)
    logged_at: Mapped[datetime | None]  # when an agent logged the answered call on a ticket

    customer = relationship("Customer")
    agent = relationship("User")

    @property
    def wait_seconds(self) -> int | None:
        """Seconds from ringing to answer (speed of answer), None when unanswered."""
        return int((self.answered_at - self.started_at).total_seconds()) if self.answered_at else None


class CallEvent(db.Model):
    """One event of one call as the PBX delivered it: the unique key makes a redelivery a no-op."""

    __tablename__ = "call_events"
    __table_args__ = (UniqueConstraint("call_id", "kind", name="uq_call_events_call_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
