"""What customers and agents do with articles: searches, views, votes, deflection, articles sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db
from helpdesk.models.base import utcnow

SOURCES = ("help", "portal", "widget", "console", "api")
OUTCOMES = ("pending", "resolved", "ticket")


class KbSearch(db.Model):
    """One search (a query typed as-you-go is one row, updated while it grows)."""

    __tablename__ = "kb_searches"
    __table_args__ = (Index("ix_kb_searches_created", "created_at"),
                      Index("ix_kb_searches_visitor", "visitor", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(12))
    source: Mapped[str] = mapped_column(String(16))
    results: Mapped[int] = mapped_column(default=0)
    visitor: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class KbView(db.Model):
    __tablename__ = "kb_views"
    __table_args__ = (Index("ix_kb_views_article_created", "article_id", "created_at"),
                      Index("ix_kb_views_visitor", "visitor"))

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(12))
    source: Mapped[str] = mapped_column(String(16))
    visitor: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KbVote(db.Model):
    """A "was this helpful?" answer; one per visitor and article (voting again changes it)."""

    __tablename__ = "kb_votes"
    __table_args__ = (UniqueConstraint("article_id", "visitor", name="uq_kb_votes_article_visitor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(12))
    helpful: Mapped[bool]
    comment: Mapped[str] = mapped_column(String(1000), default="")
    visitor: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KbDeflection(db.Model):
    """One visitor's self-service attempt before (maybe) asking for help: did they still open a ticket?"""

    __tablename__ = "kb_deflections"
    __table_args__ = (Index("ix_kb_deflections_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visitor: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(12))
    outcome: Mapped[str] = mapped_column(String(16), default="pending")
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class KbSent(db.Model):
    """An article an agent sent in a reply (found in the reply's text when it was stored)."""

    __tablename__ = "kb_sent"
    __table_args__ = (UniqueConstraint("message_id", "article_id", name="uq_kb_sent_message_article"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(12))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
