"""SLA settings (business calendars, policies) and the records the SLA engine keeps.

Settings are stored as plain columns and JSON documents; `services.sla.config` validates them and
turns them into the pure `sla` objects. Records: crossings fired (one row per warning or breach of
one target at one due time: the unique key is what makes firing exactly-once), outcomes of
stopped targets (met or missed, for compliance figures) and background recomputations with their
progress.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db
from helpdesk.models.base import utcnow


class SlaCalendar(db.Model):
    """Working hours in a time zone: `hours` maps mon..sun to lists of "HH:MM-HH:MM" windows;
    `holidays` is a list of ISO dates; `half_days` maps an ISO date to its own windows."""

    __tablename__ = "sla_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    hours: Mapped[dict] = mapped_column(JSON, default=dict)
    country: Mapped[str | None] = mapped_column(String(8))
    subdivision: Mapped[str | None] = mapped_column(String(16))
    holidays: Mapped[list] = mapped_column(JSON, default=list)
    half_days: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SlaPolicyConfig(db.Model):
    """One SLA policy, tried in `position` order (first match wins).

    `conditions`: {"priorities", "tiers", "channels": [names], "groups", "organizations": [ids]}.
    `targets`: [{"kind", "goal_seconds", "business_time", "pause_statuses", "warning_fraction"}].
    `escalations`: {"warning" | "breached": {"priority", "group_id", "assignee_id"}}.
    """

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    position: Mapped[int] = mapped_column(default=1, index=True)
    active: Mapped[bool] = mapped_column(default=True)
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("sla_calendars.id"))
    conditions: Mapped[dict] = mapped_column(JSON, default=dict)
    targets: Mapped[list] = mapped_column(JSON, default=list)
    escalations: Mapped[dict] = mapped_column(JSON, default=dict)
    email_supervisors: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SlaCrossing(db.Model):
    """A warning or breach of one target that was acted upon. Two schedulers that find the same
    crossing both try to insert it; the unique key lets exactly one of them act.

    The key names the target's run by its start (creation, or the customer message that started a
    next response), not by its due time: a pause moves the due time of a target already in warning,
    and a priority change moves it again, yet the clock crossed warning only once.
    """

    __tablename__ = "sla_crossings"
    __table_args__ = (
        UniqueConstraint("ticket_id", "target", "kind", "started_at", name="uq_sla_crossings_key"),
        Index("ix_sla_crossings_kind_fired", "kind", "fired_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(16))  # first_response | next_response | resolution
    kind: Mapped[str] = mapped_column(String(16))  # warning | breached
    started_at: Mapped[datetime]
    due_at: Mapped[datetime]
    policy_id: Mapped[int | None]
    fired_at: Mapped[datetime] = mapped_column(default=utcnow)


class SlaOutcome(db.Model):
    """A decided target of a ticket (services.sla.compliance): met (stopped in time) or missed
    (breached, stopped or still running: then `stopped_at` is None). Rewritten whenever the
    ticket is recomputed."""

    __tablename__ = "sla_outcomes"
    __table_args__ = (
        Index("ix_sla_outcomes_ticket", "ticket_id"),
        # Compliance per day reads this index alone, already grouped in its order.
        Index("ix_sla_outcomes_counted", "counted_on", "met"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(16))
    policy_id: Mapped[int | None]
    due_at: Mapped[datetime | None]
    stopped_at: Mapped[datetime | None]
    # The UTC day it counts on for compliance: the day it stopped if met, the day it breached if missed.
    counted_on: Mapped[date] = mapped_column(Date)
    met: Mapped[bool]


class SlaRecompute(db.Model):
    """A background recomputation of every open ticket's clocks, with its progress."""

    __tablename__ = "sla_recomputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued | running | done | superseded | failed
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    @property
    def percent(self) -> int:
        if self.state == "done":
            return 100
        return min(99, int(100 * self.done / self.total)) if self.total else 0


class Notification(db.Model):
    """A console notification for one staff member (`user_id`) or every member of a group."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user", "user_id", "id"),
        Index("ix_notifications_group", "group_id", "id"),
        Index("ix_notifications_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Personal notifications only: one read state per row. A group's are for every member and stay unread.
    read_at: Mapped[datetime | None]


class NotificationPreference(db.Model):
    """How a staff member wants their notifications beyond the console (e-mail, off by default)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[bool] = mapped_column(default=False)
