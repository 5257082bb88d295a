"""Messages on tickets (inbound, outbound, internal notes) and their attachments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import db
from helpdesk.models.base import utcnow
from helpdesk.models.customers import Identity
from helpdesk.models.staff import User

KINDS = ("inbound", "outbound", "note")
DELIVERY_STATES = ("queued", "sending", "sent", "delivered", "read", "failed")
# Providers report progress out of order (a "read" may arrive before "delivered"): a state only
# ever moves forward. "failed" is final, whatever came before.
DELIVERY_PROGRESS = {"queued": 0, "sending": 1, "sent": 2, "delivered": 3, "read": 4, "failed": 5}


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (
        # At-least-once delivery from channels becomes exactly-once storage here.
        Index("uq_messages_source_external_id", "source", "external_id", unique=True),
        Index("ix_messages_external_id", "external_id"),
        Index("ix_messages_ticket", "ticket_id", "id"),
        Index("ix_messages_outbox", "delivery_state", "next_attempt_at"),
        Index("ix_messages_provider_id", "provider_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(32))
    source: Mapped[str | None] = mapped_column(String(128))
    external_id: Mapped[str | None] = mapped_column(String(512))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    identity_id: Mapped[int | None] = mapped_column(ForeignKey("identities.id"))
    sender: Mapped[str | None] = mapped_column(String(400))  # as the channel showed it: "Name <address>"
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str | None] = mapped_column(Text)  # always sanitised before it is stored
    is_automated: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivery_state: Mapped[str | None] = mapped_column(String(16))
    delivery_error: Mapped[str | None] = mapped_column(String(1000))
    delivery_attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    provider_id: Mapped[str | None] = mapped_column(String(512))
    # Where quoted history and the signature start in body_text, so the console can fold them.
    quoted_from: Mapped[int | None]
    signature_from: Mapped[int | None]
    participants: Mapped[list | None] = mapped_column(JSON)  # e-mail Cc and other recipients
    # {"to": [{"name", "address"}], "cc": [...]}: an inbound mail's To and Cc as its headers said
    # (ours included); a reply's recipient once delivered, and whom it copied ("reply to all").
    recipients: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))  # None: SQL NULL, so it filters
    raw_key: Mapped[str | None] = mapped_column(String(64))  # the message as delivered, kept on disk

    @property
    def to(self) -> list[dict]:
        """Whom the message was addressed to: [{"name", "address"}]."""
        return (self.recipients or {}).get("to", [])

    @property
    def cc(self) -> list[dict]:
        """Whom the message copied: [{"name", "address"}]."""
        return (self.recipients or {}).get("cc", [])

    author: Mapped[User | None] = relationship()
    identity: Mapped[Identity | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(order_by="Attachment.created_at")


class Attachment(db.Model):
    """A stored file: its bytes live on disk under `storage_key`, never under a customer's name."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
