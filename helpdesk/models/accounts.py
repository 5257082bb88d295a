"""Accounts of the messaging channels: Telegram bots, WhatsApp numbers, Messenger pages, chat widgets.

One table for all of them: what differs per channel lives in `settings` (public) and in the
sealed `secrets` (tokens, app secrets; see services.secrets), so adding a channel needs no schema
change. `cursor` is the channel's own progress marker (a Telegram getUpdates offset), advanced
only after what it covers is committed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db
from helpdesk.models.base import utcnow

ACCOUNT_KINDS = ("telegram", "whatsapp", "messenger", "webchat")


class ChannelAccount(db.Model):
    __tablename__ = "channel_accounts"
    __table_args__ = (UniqueConstraint("kind", "name", name="uq_channel_accounts_kind_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    secrets_sealed: Mapped[str | None] = mapped_column(Text)
    cursor: Mapped[str | None] = mapped_column(String(100))
    last_seen_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def source(self) -> str:
        """The ingestion source: provider message ids are unique per account."""
        return f"{self.kind}:{self.id}"


class WidgetConfirmation(db.Model):
    """One confirmation mail a chat widget sent (or is about to send) on a visitor's request.

    Kept a little longer than the longest limit's window so the limits per address, per widget
    and per visitor hold across processes and restarts; the address is stored only as a hash."""

    __tablename__ = "widget_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("channel_accounts.id", ondelete="CASCADE"))
    visitor_id: Mapped[str] = mapped_column(String(64))
    address_hash: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    __table_args__ = (
        Index("ix_widget_confirmations_address", "address_hash", "sent_at"),
        Index("ix_widget_confirmations_account", "account_id", "sent_at"),
        Index("ix_widget_confirmations_visitor", "visitor_id", "sent_at"),
    )
