"""Saved views of the ticket list: filters, sort and columns under a name, and each user's order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import db
from helpdesk.models.base import utcnow
from helpdesk.models.staff import User


class SavedView(db.Model):
    """A named ticket list. Personal views are seen by their owner only; shared ones by all staff
    (each sees the tickets of their own groups in it)."""

    __tablename__ = "saved_views"
    __table_args__ = (Index("ix_saved_views_owner", "owner_id"), Index("ix_saved_views_shared", "shared"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    shared: Mapped[bool] = mapped_column(default=False)
    filters: Mapped[dict] = mapped_column(JSON, default=dict)  # the TicketFilter fields that are set
    sort: Mapped[str] = mapped_column(String(16), default="updated")
    columns: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[User] = relationship()


class SavedViewPosition(db.Model):
    """Where one user put one view in their navigation (views without a row come last, oldest first)."""

    __tablename__ = "saved_view_positions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    view_id: Mapped[int] = mapped_column(ForeignKey("saved_views.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    position: Mapped[int]
