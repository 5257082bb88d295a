"""Agent performance reports: metrics per agent, group, channel or priority over a date range.

In: a `ReportFilter` (inclusive UTC days, optional group, channel and priority). Out: one `dict`
per agent (or group, channel, priority) with every metric. Counts and sums come from the daily
rollups; medians and p90 are exact (nearest rank, like PostgreSQL's percentile_disc) over the
facts (for the agent table by rank through an index, for the breakdowns by reading the facts);
CSAT and NPS come from the surveys sent in the range.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from math import ceil

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Group, ReportDaily, ReportFact, ReportMonthly, Survey, User
from helpdesk.models.tickets import PRIORITIES, PRIORITY_NAMES
from helpdesk.services.sla import compliance as sla_compliance

DIMENSIONS = ("agent", "group", "channel", "priority")
MAX_DAYS = 400
SUMS = ("assigned", "replied", "replies", "first_responses", "first_response_seconds",
        "first_response_business_seconds", "solved", "resolution_seconds", "resolution_business_seconds",
        "reopened", "sla_first_response_met", "sla_first_response_missed", "sla_resolution_met",
        "sla_resolution_missed")
# The columns of every table, in order (the key and label come first).
METRICS = (
    "assigned", "replied", "replies", "replies_per_ticket", "solved", "reopened",
    "first_response_avg", "first_response_median", "first_response_p90",
    "first_response_business_avg", "first_response_business_median", "first_response_business_p90",
    "resolution_avg", "resolution_median", "resolution_p90",
    "resolution_business_avg", "resolution_business_median", "resolution_business_p90",
    "sla_first_response_met", "sla_first_response_missed", "sla_first_response_pct",
    "sla_resolution_met", "sla_resolution_missed", "sla_resolution_pct",
    "csat_sent", "csat_answered", "csat_response_rate", "csat_avg", "csat_satisfied_pct",
    "nps_sent", "nps_answered", "nps_response_rate", "nps",
)


class ReportError(ValueError):
    """A filter that cannot be used; `field` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ReportFilter:
    start: date
    end: date  # inclusive
    group_id: int | None = None
    channel: str | None = None
    priority: int | None = None


def _day(value: str | None, field: str, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ReportError(field, _("must be a date like 2026-01-31")) from None


def parse_filter(args, today: date) -> ReportFilter:
    """A ReportFilter from request arguments `start`, `end`, `group_id`, `channel`, `priority`
    (the last 30 days by default); ReportError names the first bad one."""
    end = _day(args.get("end"), "end", today)
    start = _day(args.get("start"), "start", end - timedelta(days=29))
    if start > end:
        raise ReportError("start", _("must not be after end"))
    if (end - start).days >= MAX_DAYS:
        raise ReportError("start", _("a report covers at most %(max_days)s days", max_days=MAX_DAYS))
    group_id = None
    if args.get("group_id"):
        raw = str(args.get("group_id")).strip()
        group_id = int(raw) if raw.isdigit() and int(raw) < 2**31 else None
        if group_id is None or db.session.get(Group, group_id) is None:
            raise ReportError("group_id", _("no group %(raw)s", raw=raw))
    channel = (args.get("channel") or "").strip() or None
    if channel is not None and (len(channel) > 32 or not channel.replace("_", "").isalnum()):
        raise ReportError("channel", _("is not a channel name"))
    priority = args.get("priority") or None
    if priority is not None and priority not in PRIORITIES:
        raise ReportError("priority", _("must be one of %(list)s", list=list(PRIORITIES)))
    return ReportFilter(start, end, group_id, channel, PRIORITIES[priority] if priority else None)


def parse_key(dimension: str, raw: str | None):
    """The row key `raw` names in a `dimension` table: None for the row without one ("none" or
    empty), a number for agents, groups and priorities, the text for channels; ReportError if bad."""
    if raw in (None, "", "none"):
        return None
    if dimension == "channel":
        return raw
    if not raw.isdigit() or int(raw) >= 2**31:
        raise ReportError("key", _("must be a number for this dimension"))
    return int(raw)


def apply_filter(query, model, f: ReportFilter, day_column):
    """`query` limited to the filter's days (on `day_column`, unless None), group, channel, priority."""
    query = query.where(day_column >= f.start, day_column <= f.end) if day_column is not None else query
    if f.group_id is not None:
        query = query.where(model.group_id == f.group_id)
    if f.channel is not None:
        query = query.where(model.channel == f.channel)
    if f.priority is not None:
        query = query.where(model.priority == f.priority)
    return query


def dimension_column(model, dimension: str):
    """The column of `model` that holds `dimension`; ReportError for an unknown dimension."""
    if dimension not in DIMENSIONS:
        raise ReportError("dimension", _("must be one of %(list)s", list=list(DIMENSIONS)))
    return getattr(model, {"agent": "agent_id", "group": "group_id"}.get(dimension, dimension))


def nearest_rank(ordered: list[int], fraction: float) -> int | None:
    """The nearest-rank percentile of an ascending list (PostgreSQL's percentile_disc); None if empty."""
    if not ordered:
        return None
    return ordered[max(0, ceil(fraction * len(ordered)) - 1)]


# (metric prefix, fact kind, column) of the times that get a median and a p90.
TIMES = (("first_response", "first_response", "seconds"), ("first_response_business", "first_response", "business_seconds"),
         ("resolution", "solved", "seconds"), ("resolution_business", "solved", "business_seconds"))
PERCENTILES = (("median", 0.5), ("p90", 0.9))


def _scan_percentiles(dimension: str, f: ReportFilter) -> dict:
    """{key: {metric: value}} medians and p90 read from every fact in the range (exact)."""
    dim = dimension_column(ReportFact, dimension)
    query = apply_filter(select(ReportFact.kind, dim, ReportFact.seconds, ReportFact.business_seconds)
                         .where(ReportFact.kind.in_(("first_response", "solved"))), ReportFact, f, ReportFact.day)
    values: dict = defaultdict(lambda: defaultdict(list))
    for kind, key, seconds, business in db.session.execute(query):
        name = "first_response" if kind == "first_response" else "resolution"
        values[key][name].append(seconds)
        values[key][name + "_business"].append(business)
    out: dict = {}
    for key, lists in values.items():
        row = out.setdefault(key, {})
        for name, items in lists.items():
            items.sort()
            for suffix, fraction in PERCENTILES:
                row[f"{name}_{suffix}"] = nearest_rank(items, fraction)
    return out


SHORT_RANGE_DAYS = 92  # up to this, sorting the range's times beats walking every time in order


def _rank_sql(f: ReportFilter, arms: list[tuple[int, str, str, bool]], null_agent: bool, mark, sqlite: bool) -> str:
    """One statement answering, for one agent, the value at offset k<i> of each arm (i, kind,
    column, descending). A long range walks the agent's times in order in
    ix_report_facts_agent_seconds/_business and stops at the offset (a p90 walks from the top); a
    short range sorts the few times of its days from ix_report_facts_agent_day. PostgreSQL's
    planner makes that choice itself; SQLite is told. `mark(name)` writes a placeholder."""
    extra = "".join(f" AND {c} = {mark(c)}" for c, v in (("group_id", f.group_id), ("channel", f.channel),
                                                         ("priority", f.priority)) if v is not None)
    agent = "agent_id IS NULL" if null_agent else f"agent_id = {mark('agent')}"
    short = (f.end - f.start).days < SHORT_RANGE_DAYS

    def source(column: str) -> str:
        if not sqlite:
            return "report_facts"
        index = "day" if short else ("seconds" if column == "seconds" else "business")
        return f"report_facts INDEXED BY ix_report_facts_agent_{index}"

    return " UNION ALL ".join(
        f"SELECT {i} AS m, v FROM (SELECT {column} AS v FROM {source(column)} WHERE kind = '{kind}' AND {agent}"
        f" AND day >= {mark('start')} AND day <= {mark('end')}{extra}"
        f" ORDER BY {column}{' DESC' if descending else ''} LIMIT 1 OFFSET {mark(f'k{i}')}) AS a{i}"
        for i, kind, column, descending in arms)


def _agent_percentiles(f: ReportFilter, counts: dict) -> dict:
    """{agent: {metric: value}} exact medians and p90, by rank: `counts` holds each agent's number
    of first responses and solves in the range (from the rollups), so the value at rank k is read
    from an index directly, one statement per agent. Through the driver's own cursor: 200 agents
    are 200 statements, and the ORM's per-statement cost would exceed the queries'."""
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    mark = (lambda name: f":{name}") if sqlite else (lambda name: f"%({name})s")
    day = (lambda d: d.isoformat()) if sqlite else (lambda d: d)  # Date columns are ISO text on SQLite
    params = {"start": day(f.start), "end": day(f.end), "group_id": f.group_id, "channel": f.channel,
              "priority": f.priority}
    cursor = db.session.connection().connection.cursor()
    out: dict = {}
    try:
        for agent, sums in counts.items():
            arms, offsets, names = [], {}, {}
            for prefix, kind, column in TIMES:
                n = int(sums.get("first_responses" if kind == "first_response" else "solved") or 0)
                for suffix, fraction in PERCENTILES if n else ():
                    i, rank = len(arms), max(0, ceil(fraction * n) - 1)
                    descending = rank > n // 2  # nearer the top: walk down from the largest
                    arms.append((i, kind, column, descending))
                    offsets[f"k{i}"], names[i] = (n - 1 - rank if descending else rank), f"{prefix}_{suffix}"
            if arms:
                cursor.execute(_rank_sql(f, arms, agent is None, mark, sqlite), params | offsets | {"agent": agent})
                out[agent] = {names[m]: v for m, v in cursor.fetchall()}
    finally:
        cursor.close()
    return out


def sent_between(f: ReportFilter) -> tuple:
    """Conditions on surveys sent (failed ones never reached the customer) within the range."""
    return (Survey.sent_at >= datetime.combine(f.start, datetime.min.time()),
            Survey.sent_at < datetime.combine(f.end + timedelta(days=1), datetime.min.time()),
            Survey.state != "failed")


def _surveys(dimension: str, f: ReportFilter) -> dict:
    """{key: {metric: value}} of the CSAT and NPS surveys sent in the range."""
    dim = dimension_column(Survey, dimension)
    query = apply_filter(select(
        dim, Survey.kind, func.count(), func.count(Survey.score), func.sum(Survey.score),
        func.count(Survey.score).filter(Survey.score >= 4), func.count(Survey.score).filter(Survey.score >= 9),
        func.count(Survey.score).filter(Survey.score <= 6),
    ), Survey, f, None).where(*sent_between(f))
    out: dict = defaultdict(dict)
    for key, kind, sent, n, total, satisfied, promoters, detractors in db.session.execute(query.group_by(dim, Survey.kind)):
        row = out[key]
        row[f"{kind}_sent"], row[f"{kind}_answered"] = sent, n
        row[f"{kind}_response_rate"] = _pct(n, sent)
        if kind == "csat":
            row["csat_avg"] = round(total / n, 2) if n else None
            row["csat_satisfied_pct"] = _pct(satisfied, n)
        else:
            row["nps"] = round(100 * (promoters - detractors) / n, 1) if n else None
    return out


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _avg(total: int, count: int) -> int | None:
    return round(total / count) if count else None


def _derived(sums: dict) -> dict:
    row = {name: int(sums.get(name) or 0) for name in SUMS}
    fr, solved = row["first_responses"], row["solved"]
    return row | {
        "replies_per_ticket": round(row["replies"] / row["replied"], 2) if row["replied"] else None,
        "first_response_avg": _avg(row["first_response_seconds"], fr),
        "first_response_business_avg": _avg(row["first_response_business_seconds"], fr),
        "resolution_avg": _avg(row["resolution_seconds"], solved),
        "resolution_business_avg": _avg(row["resolution_business_seconds"], solved),
        "sla_first_response_pct": sla_compliance.percent(row["sla_first_response_met"], row["sla_first_response_missed"]),
        "sla_resolution_pct": sla_compliance.percent(row["sla_resolution_met"], row["sla_resolution_missed"]),
    }


def labels(dimension: str, keys) -> dict:
    """The name people see for each key of `dimension`."""
    keys = [k for k in keys if k is not None]
    if dimension == "agent":
        found = {k: v for k, v in db.session.execute(select(User.id, User.name).where(User.id.in_(keys)))} if keys else {}
    elif dimension == "group":
        found = {k: v for k, v in db.session.execute(select(Group.id, Group.name).where(Group.id.in_(keys)))} if keys else {}
    elif dimension == "priority":
        found = {k: PRIORITY_NAMES.get(k, str(k)) for k in keys}
    else:
        found = {k: k for k in keys}
    return found | {None: "(none)"}


def _months(f: ReportFilter) -> tuple[date, date]:
    """[first, after): the whole calendar months inside the range (first == after when none)."""
    first = f.start if f.start.day == 1 else (f.start.replace(day=1) + timedelta(days=32)).replace(day=1)
    after = (f.end + timedelta(days=1)).replace(day=1)
    return first, max(first, after)


def _sums(dimension: str, f: ReportFilter) -> dict:
    """{key: {sum: value}}: whole months from the monthly rollups, the other days from the daily ones."""
    first, after = _months(f)
    parts = [(ReportMonthly, ReportMonthly.month, first, after - timedelta(days=1))] if first < after else []
    edges = [(f.start, first - timedelta(days=1)), (after, f.end)] if first < after else [(f.start, f.end)]
    parts += [(ReportDaily, ReportDaily.day, low, high) for low, high in edges if low <= high]
    out: dict = {}
    for model, period, low, high in parts:
        dim = dimension_column(model, dimension)
        query = apply_filter(select(dim, *(func.sum(getattr(model, n)) for n in SUMS)), model,
                             ReportFilter(low, high, f.group_id, f.channel, f.priority), period)
        for key, *values in db.session.execute(query.group_by(dim)):
            row = out.setdefault(key, dict.fromkeys(SUMS, 0))
            for name, value in zip(SUMS, values, strict=True):
                row[name] += int(value or 0)
    return out


def table(dimension: str, f: ReportFilter, sort: str = "label", descending: bool = False) -> list[dict]:
    """One row per agent (group, channel, priority) with activity in the range: `key`, `label` and
    every name in METRICS (None where there is nothing to measure), sorted by `sort`."""
    sums = _sums(dimension, f)
    percentiles = _agent_percentiles(f, sums) if dimension == "agent" else _scan_percentiles(dimension, f)
    surveys = _surveys(dimension, f)
    keys = set(sums) | set(surveys)
    names = labels(dimension, keys)
    rows = []
    for key in keys:
        row = {"key": key, "label": str(names.get(key, key))} | {m: None for m in METRICS}
        row |= _derived(sums.get(key, {})) | percentiles.get(key, {}) | surveys.get(key, {})
        rows.append({k: row[k] for k in ("key", "label", *METRICS)})
    return sort_rows(rows, sort, descending)


def sort_rows(rows: list[dict], sort: str, descending: bool) -> list[dict]:
    """`rows` sorted by column `sort` (ReportError for another name); empty cells always last."""
    if sort not in ("label", *METRICS):
        raise ReportError("sort", _("is not a column of the report"))
    present = [r for r in rows if r[sort] is not None]
    present.sort(key=lambda r: (r[sort], r["label"]) if sort != "label" else r["label"].lower(), reverse=descending)
    return present + sorted((r for r in rows if r[sort] is None), key=lambda r: r["label"])
