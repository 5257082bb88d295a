"""E-mail mailboxes (IMAP in, SMTP out), their sync state, and mail that could not be processed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import db
from helpdesk.models.base import utcnow


class Mailbox(db.Model):
    """One support address. Passwords are stored encrypted (services.secrets), never in clear."""

    __tablename__ = "mailboxes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    address: Mapped[str] = mapped_column(String(320), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    imap_host: Mapped[str] = mapped_column(String(255))
    imap_port: Mapped[int]
    imap_security: Mapped[str] = mapped_column(String(16), default="ssl")
    imap_user: Mapped[str] = mapped_column(String(320))
    imap_password_secret: Mapped[str] = mapped_column(Text)
    imap_folder: Mapped[str] = mapped_column(String(255), default="INBOX")
    imap_move_to: Mapped[str | None] = mapped_column(String(255))
    smtp_host: Mapped[str | None] = mapped_column(String(255))
    smtp_port: Mapped[int | None]
    smtp_security: Mapped[str] = mapped_column(String(16), default="starttls")
    smtp_user: Mapped[str | None] = mapped_column(String(320))
    smtp_password_secret: Mapped[str | None] = mapped_column(Text)
    acknowledge: Mapped[bool] = mapped_column(default=False)
    acknowledge_template: Mapped[str | None] = mapped_column(Text)
    # Sync state: the folder's UIDVALIDITY and the highest UID whose ticket is committed.
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    last_sync_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def source(self) -> str:
        """The ingestion source: Message-IDs are unique per mailbox."""
        return f"mailbox:{self.id}"


class FailedMail(db.Model):
    """A message that could not be turned into a ticket: kept raw (on disk) with the error."""

    __tablename__ = "failed_mails"
    __table_args__ = (Index("ix_failed_mails_open", "resolved_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"), index=True)
    uid: Mapped[int | None] = mapped_column(BigInteger)
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    message_id_header: Mapped[str | None] = mapped_column(String(998))
    subject: Mapped[str | None] = mapped_column(String(998))
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))

    mailbox: Mapped[Mailbox] = relationship()
