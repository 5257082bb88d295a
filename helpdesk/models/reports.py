"""Agent performance reports: one fact per credited event, and daily rollups of those facts.

`ReportFact` rows are derived from tickets, messages, ticket events and SLA outcomes (see
`services.reports.facts`), so they can always be recomputed: the unique key (ticket, kind, key)
names what a fact counts (an event id, an agent id, an outcome's position), and a ticket's facts
are replaced as a whole, so a recomputation never counts anything twice.

`ReportDaily` sums the facts of one UTC day per agent × group × channel × priority; the agent
table reads it for counts and sums, and reads facts only for exact medians and p90.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db

# assigned: an assignment event to the agent; first_response: the ticket's first public reply;
# replied: the agent's public replies on a ticket (dated at the first, `n` = how many); solved: a
# change to solved (or closed from an open status); reopened: a solve undone, credited to its solver;
# sla_first_response / sla_resolution: a stopped SLA target (`met`).
FACT_KINDS = ("assigned", "first_response", "replied", "solved", "reopened", "sla_first_response", "sla_resolution")


class ReportFact(db.Model):
    __tablename__ = "report_facts"
    __table_args__ = (
        UniqueConstraint("ticket_id", "kind", "key", name="uq_report_facts_key"),
        # Percentiles and drill-downs read one kind over a range of days, index only.
        Index("ix_report_facts_kind_day", "kind", "day", "agent_id", "group_id", "channel", "priority",
              "seconds", "business_seconds"),
        # Exact medians and p90 per agent: one agent's times of one kind in order, so the value at
        # rank k is an index walk (ORDER BY seconds LIMIT 1 OFFSET k), never a sort of every fact.
        Index("ix_report_facts_agent_seconds", "kind", "agent_id", "seconds", "day", "group_id", "channel", "priority"),
        Index("ix_report_facts_agent_business", "kind", "agent_id", "business_seconds", "day", "group_id", "channel",
              "priority"),
        # For short ranges: one agent's times of those days only, sorted (a few hundred), instead of
        # walking past every other day's.
        Index("ix_report_facts_agent_day", "kind", "agent_id", "day", "seconds", "business_seconds", "group_id",
              "channel", "priority"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    key: Mapped[int] = mapped_column(default=0)
    # Ids without foreign keys, like the rollups: staff are deactivated, not deleted.
    agent_id: Mapped[int | None]
    group_id: Mapped[int | None]
    channel: Mapped[str] = mapped_column(String(32))
    priority: Mapped[int]
    at: Mapped[datetime]
    day: Mapped[date] = mapped_column(Date)  # UTC day of `at`
    seconds: Mapped[int | None]  # calendar time measured (first response, resolution)
    business_seconds: Mapped[int | None]  # the same through the ticket's SLA calendar
    n: Mapped[int] = mapped_column(default=1)  # replies, for `replied`
    met: Mapped[bool | None]  # SLA facts only


class _RollupSums:
    """The sums every rollup row keeps, for one agent, group, channel and priority in its period."""

    agent_id: Mapped[int | None]
    group_id: Mapped[int | None]
    channel: Mapped[str] = mapped_column(String(32))
    priority: Mapped[int]
    assigned: Mapped[int] = mapped_column(default=0)
    replied: Mapped[int] = mapped_column(default=0)
    replies: Mapped[int] = mapped_column(default=0)
    first_responses: Mapped[int] = mapped_column(default=0)
    first_response_seconds: Mapped[int] = mapped_column(default=0)
    first_response_business_seconds: Mapped[int] = mapped_column(default=0)
    solved: Mapped[int] = mapped_column(default=0)
    resolution_seconds: Mapped[int] = mapped_column(default=0)
    resolution_business_seconds: Mapped[int] = mapped_column(default=0)
    reopened: Mapped[int] = mapped_column(default=0)
    sla_first_response_met: Mapped[int] = mapped_column(default=0)
    sla_first_response_missed: Mapped[int] = mapped_column(default=0)
    sla_resolution_met: Mapped[int] = mapped_column(default=0)
    sla_resolution_missed: Mapped[int] = mapped_column(default=0)


class ReportDaily(_RollupSums, db.Model):
    """Sums of one day's facts."""

    __tablename__ = "report_daily"
    __table_args__ = (Index("ix_report_daily_day_agent", "day", "agent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)


class ReportMonthly(_RollupSums, db.Model):
    """Sums of one calendar month's facts (`month` is its first day): a year's report reads twelve
    of these per key instead of 365 daily rows; the days of a range's partial months come from the
    daily rollups."""

    __tablename__ = "report_monthly"
    __table_args__ = (Index("ix_report_monthly_month_agent", "month", "agent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date)
