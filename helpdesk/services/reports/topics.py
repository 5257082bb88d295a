"""The Topics report: what customers write about, how often, and how it goes for each topic.

In: a `ReportFilter` (UTC days, optional group, channel, priority) and a period ("day" or
"week"). The tickets counted are those created in the range (with the filters), by their topic
(merges already moved them; hidden topics are left out unless asked for). Per topic: tickets
per period, by channel and by group, growth against the range just before it (as long), and
for the same tickets the first-response and resolution times (calendar seconds, from the report
facts), the share reopened after a solve, and CSAT. Tickets without a topic form one row (key None).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Group, ReportFact, Survey, Ticket, TicketTopic, Topic
from helpdesk.models.tickets import PRIORITY_NAMES
from helpdesk.services.reports.tables import ReportFilter, apply_filter

PERIODS = ("day", "week")
TRENDING_MIN = 3  # tickets in the range before a topic can trend (2 -> 4 is not news)
COLUMNS = ("key", "label", "tickets", "previous", "growth_pct", "first_response_avg", "first_response_median",
           "resolution_avg", "resolution_median", "solved", "reopened", "reopen_rate", "csat_answered", "csat_avg")


@dataclass(frozen=True)
class TopicReport:
    start: date
    end: date
    period: str
    periods: list[date]
    rows: list[dict]  # one per topic, most tickets first
    channels: list[str]
    groups: dict[int | None, str]
    trending: list[dict]


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, datetime.min.time()), datetime.combine(end + timedelta(days=1), datetime.min.time())


def period_of(day: date, period: str) -> date:
    """The first day of the period `day` falls in (the day itself, or its week's Monday)."""
    return day - timedelta(days=day.weekday()) if period == "week" else day


def _cohort(f: ReportFilter, start: date, end: date):
    """(ticket id, topic id or None, created_at, channel, group id) of the tickets created in
    [start, end] that pass the filter's group, channel and priority."""
    low, high = _bounds(start, end)
    query = (select(Ticket.id, TicketTopic.topic_id, Ticket.created_at, Ticket.channel, Ticket.group_id)
             .outerjoin(TicketTopic, TicketTopic.ticket_id == Ticket.id)
             .where(Ticket.created_at >= low, Ticket.created_at < high, Ticket.merged_into_id.is_(None)))
    return apply_filter(query, Ticket, f, None)


def _times(kind: str, cohort, first_only: bool = False) -> dict:
    """{topic: [seconds]} of the cohort's facts of `kind` (the first solve only when `first_only`)."""
    c = cohort.subquery()
    query = select(c.c.topic_id, ReportFact.seconds).join(ReportFact, ReportFact.ticket_id == c.c.id).where(
        ReportFact.kind == kind, ReportFact.seconds.is_not(None))
    if first_only:
        query = query.where(ReportFact.key == 0)
    out: dict = defaultdict(list)
    for topic_id, seconds in db.session.execute(query):
        out[topic_id].append(seconds)
    return out


def _reopened(cohort) -> dict:
    c = cohort.subquery()
    query = (select(c.c.topic_id, func.count(func.distinct(ReportFact.ticket_id)))
             .join(ReportFact, ReportFact.ticket_id == c.c.id).where(ReportFact.kind == "reopened")
             .group_by(c.c.topic_id))
    return dict(db.session.execute(query).all())


def _csat(cohort) -> dict:
    c = cohort.subquery()
    query = (select(c.c.topic_id, func.count(Survey.score), func.avg(Survey.score))
             .join(Survey, Survey.ticket_id == c.c.id)
             .where(Survey.kind == "csat", Survey.score.is_not(None)).group_by(c.c.topic_id))
    return {topic: (n, round(float(avg), 2) if avg is not None else None) for topic, n, avg in db.session.execute(query)}


def _day(value) -> date:
    return value.date() if isinstance(value, datetime) else date.fromisoformat(str(value)[:10])


def _growth(now: int, before: int) -> float | None:
    return round(100 * (now - before) / before, 1) if before else None


def report(f: ReportFilter, period: str = "day", include_hidden: bool = False) -> TopicReport:
    """The Topics report for `f` (see the module's docstring)."""
    period = period if period in PERIODS else "day"
    periods = sorted({period_of(f.start + timedelta(days=i), period) for i in range((f.end - f.start).days + 1)})
    cohort = _cohort(f, f.start, f.end)
    counts: dict = defaultdict(lambda: {"by_period": defaultdict(int), "by_channel": defaultdict(int),
                                        "by_group": defaultdict(int), "tickets": 0})
    channels, group_ids = set(), set()
    for _ticket_id, topic_id, created_at, channel, group_id in db.session.execute(cohort):
        row = counts[topic_id]
        row["tickets"] += 1
        row["by_period"][period_of(_day(created_at), period).isoformat()] += 1
        row["by_channel"][channel] += 1
        row["by_group"][group_id] += 1
        channels.add(channel)
        group_ids.add(group_id)
    before = _cohort(f, *previous_range(f)).subquery()
    previous = dict(db.session.execute(select(before.c.topic_id, func.count()).group_by(before.c.topic_id)).all())
    first = _times("first_response", cohort)
    solved = _times("solved", cohort, first_only=True)
    reopened, csat = _reopened(cohort), _csat(cohort)
    topics = {t.id: t for t in db.session.scalars(select(Topic).where(Topic.id.in_([k for k in counts if k])))}
    rows = []
    for key, row in counts.items():
        topic = topics.get(key)
        if topic is not None and topic.hidden and not include_hidden:
            continue
        n_solved = len(solved.get(key, ()))
        answered, csat_avg = csat.get(key, (0, None))
        rows.append(row | {
            "key": key, "label": topic.title if topic else _("(no topic)"),
            "pinned": bool(topic and topic.pinned), "hidden": bool(topic and topic.hidden),
            "by_period": dict(row["by_period"]), "by_channel": dict(row["by_channel"]),
            "by_group": dict(row["by_group"]),
            "previous": previous.get(key, 0), "growth_pct": _growth(row["tickets"], previous.get(key, 0)),
            "first_response_avg": _avg(first.get(key)), "first_response_median": _median(first.get(key)),
            "resolution_avg": _avg(solved.get(key)), "resolution_median": _median(solved.get(key)),
            "solved": n_solved, "reopened": reopened.get(key, 0),
            "reopen_rate": round(100 * reopened.get(key, 0) / n_solved, 1) if n_solved else None,
            "csat_answered": answered, "csat_avg": csat_avg,
        })
    rows.sort(key=lambda r: (r["key"] is None, -r["tickets"], r["label"]))
    trending = sorted((r for r in rows if r["key"] is not None and r["tickets"] >= TRENDING_MIN
                       and r["tickets"] > r["previous"]),
                      key=lambda r: (-(r["tickets"] - r["previous"]) / max(r["previous"], 1), -r["tickets"]))[:5]
    names = dict(db.session.execute(select(Group.id, Group.name).where(Group.id.in_([g for g in group_ids if g]))).all())
    return TopicReport(f.start, f.end, period, periods, rows, sorted(channels),
                       {g: names.get(g, "(none)") for g in sorted(group_ids, key=lambda g: (g is None, g or 0))}, trending)


def _avg(values) -> int | None:
    return round(sum(values) / len(values)) if values else None


def _median(values) -> int | None:
    return round(median(values)) if values else None


def ticket_query(key: int | None, f: ReportFilter, *, day: date | None = None, until: date | None = None,
                 channel: str | None = None, group_id: int | None = None) -> dict:
    """The ticket list's query arguments that show the tickets behind a number of the report:
    topic `key` (None: without a topic), the filter's (or the given) group and channel, created
    in the range (or in [day, until])."""
    start, end = day or f.start, until or day or f.end
    args = {"view": "all", "topic_id": "none" if key is None else str(key),
            "q": f"created>={start.isoformat()} created<={end.isoformat()}"}
    group_id = group_id if group_id is not None else f.group_id
    channel = channel or f.channel
    if group_id is not None:
        args["group_id"] = str(group_id)
    if channel is not None:
        args["channel"] = channel
    if f.priority is not None:
        args["priority"] = PRIORITY_NAMES.get(f.priority, str(f.priority))
    return args


def previous_range(f: ReportFilter) -> tuple[date, date]:
    """The range just before the filter's, as long: what growth compares with."""
    length = timedelta(days=(f.end - f.start).days + 1)
    return f.start - length, f.start - timedelta(days=1)


def period_ranges(result: TopicReport) -> dict[str, tuple[date, date]]:
    """{period start (ISO): (first day, last day)} of each period, cut to the report's range."""
    span = timedelta(days=6 if result.period == "week" else 0)
    return {p.isoformat(): (max(p, result.start), min(p + span, result.end)) for p in result.periods}
