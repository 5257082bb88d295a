"""Topics: what customers write about, found by a topic model and curated by admins.

`Topic` is one topic: its automatic label (top words), the name an admin gave it, and the admins'
choices (pinned: a refit keeps it; hidden: noise, left out of reports; merged into another topic).
Topic ids outlive refits: a refit matches its new topics to the stored ones by their words.
`TopicModel` is one fit, stored as plain arrays (no pickle); the newest is current. `row_topics`
maps each row of its components to a topic id. `TicketTopic` is a ticket's topic.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db
from helpdesk.models.base import utcnow


class Topic(db.Model):
    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(200))  # from the top words, rewritten by each refit
    name: Mapped[str | None] = mapped_column(String(120))  # the admin's, kept across refits
    terms: Mapped[dict] = mapped_column(JSON, default=dict)  # top words -> weight (unit component)
    pinned: Mapped[bool] = mapped_column(default=False)
    hidden: Mapped[bool] = mapped_column(default=False)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(default=True)  # false: the current model has no row for it
    size: Mapped[int] = mapped_column(default=0)  # tickets the last refit gave it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def title(self) -> str:
        return self.name or self.label


class TopicModel(db.Model):
    __tablename__ = "topic_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    fitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)  # moves when an admin's change remaps rows
    words: Mapped[list] = mapped_column(JSON)
    idf: Mapped[bytes] = mapped_column(LargeBinary)  # float32 little-endian, one per word
    components: Mapped[bytes] = mapped_column(LargeBinary)  # float32 little-endian, rows x words
    row_topics: Mapped[list] = mapped_column(JSON)  # topic id of each row
    documents: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)


class TicketTopic(db.Model):
    __tablename__ = "ticket_topics"
    __table_args__ = (Index("ix_ticket_topics_topic", "topic_id", "ticket_id"),)

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float, default=0.0)
    model_id: Mapped[int | None]
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)


class TopicSettings(db.Model):
    """One row: how topics are found and used."""

    __tablename__ = "topic_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    topics: Mapped[int] = mapped_column(default=20)  # at most per language; a refit chooses how many each has
    window_days: Mapped[int] = mapped_column(default=90)  # a refit reads tickets created this recently
    max_tickets: Mapped[int] = mapped_column(default=200_000)  # and at most this many, newest first
    tag_tickets: Mapped[bool] = mapped_column(default=False)  # also tag new tickets "topic:<name>"
    refit_hours: Mapped[int] = mapped_column(default=24)  # the periodic refit's interval (0: off)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
