"""What stands behind a report's numbers: the tickets behind one cell, and the series over time.

In: a `reports.ReportFilter`, and for a drill-down the metric and the row (dimension and key).
Out: lists of plain dicts, ready for a page, a CSV file or the API.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import ReportDaily, ReportFact, Survey, Ticket
from helpdesk.services.reports.tables import (
    METRICS,
    ReportError,
    ReportFilter,
    apply_filter,
    dimension_column,
    labels,
    sent_between,
)
from helpdesk.services.sla import compliance as sla_compliance

DRILL_LIMIT = 1000
# metric -> (fact kind, met) for facts; survey metrics are read from the surveys table.
_FACT_METRICS = {
    "assigned": ("assigned", None), "replied": ("replied", None), "replies": ("replied", None),
    "replies_per_ticket": ("replied", None), "solved": ("solved", None), "reopened": ("reopened", None),
    "sla_first_response_met": ("sla_first_response", True), "sla_first_response_missed": ("sla_first_response", False),
    "sla_first_response_pct": ("sla_first_response", None), "sla_resolution_met": ("sla_resolution", True),
    "sla_resolution_missed": ("sla_resolution", False), "sla_resolution_pct": ("sla_resolution", None),
}


def _fact_metric(metric: str) -> tuple[str, bool | None]:
    if metric in _FACT_METRICS:
        return _FACT_METRICS[metric]
    if metric.startswith("first_response"):
        return "first_response", None
    return "solved", None


def tickets_behind(metric: str, dimension: str, key, f: ReportFilter) -> list[dict]:
    """The facts (or surveys) behind the cell `metric` of the row `key` of a `dimension` table,
    newest first, at most DRILL_LIMIT: ticket id and subject, agent, when, and what was measured."""
    if metric not in METRICS:
        raise ReportError("metric", _("is not a column of the report"))
    if metric.startswith(("csat", "nps")):
        dim = dimension_column(Survey, dimension)
        query = apply_filter(select(Survey.ticket_id, Ticket.subject, Survey.agent_id, Survey.sent_at, Survey.score)
                       .join(Ticket, Ticket.id == Survey.ticket_id)
                       .where(Survey.kind == metric.split("_")[0], *sent_between(f)), Survey, f, None)
        query = query.where(dim.is_(None) if key is None else dim == key).order_by(Survey.sent_at.desc(), Survey.id.desc())
        rows = [{"ticket_id": t, "subject": s, "agent_id": a, "at": at, "value": score}
                for t, s, a, at, score in db.session.execute(query.limit(DRILL_LIMIT))]
    else:
        kind, met = _fact_metric(metric)
        dim = dimension_column(ReportFact, dimension)
        business = "business" in metric
        measured = ReportFact.business_seconds if business else ReportFact.seconds
        value = ReportFact.n if kind == "replied" else (ReportFact.met if kind.startswith("sla") else measured)
        query = apply_filter(select(ReportFact.ticket_id, Ticket.subject, ReportFact.agent_id, ReportFact.at, value)
                       .join(Ticket, Ticket.id == ReportFact.ticket_id).where(ReportFact.kind == kind),
                       ReportFact, f, ReportFact.day)
        if met is not None:
            query = query.where(ReportFact.met.is_(met))
        query = query.where(dim.is_(None) if key is None else dim == key)
        query = query.order_by(ReportFact.at.desc(), ReportFact.id.desc()).limit(DRILL_LIMIT)
        rows = [{"ticket_id": t, "subject": s, "agent_id": a, "at": at, "value": v}
                for t, s, a, at, v in db.session.execute(query)]
    names = labels("agent", {r["agent_id"] for r in rows})
    for row in rows:
        row["agent"] = names.get(row["agent_id"], str(row["agent_id"]))
    return rows


def _days(f: ReportFilter) -> list:
    return [f.start + timedelta(days=i) for i in range((f.end - f.start).days + 1)]


def series(f: ReportFilter) -> dict:
    """Per day of the range: tickets created by channel, solved, average first response and
    resolution (calendar seconds), SLA compliance (%) and CSAT average. Days are ISO strings."""
    days = _days(f)
    index = {d: i for i, d in enumerate(days)}
    first = datetime.combine(f.start, datetime.min.time())
    last = datetime.combine(f.end + timedelta(days=1), datetime.min.time())
    created_day = func.date(Ticket.created_at)
    volume: dict[str, list[int]] = defaultdict(lambda: [0] * len(days))
    query = apply_filter(select(created_day, Ticket.channel, func.count()), Ticket, f, None)
    query = query.where(Ticket.created_at >= first, Ticket.created_at < last).group_by(created_day, Ticket.channel)
    for day, channel, count in db.session.execute(query):
        day = day if not isinstance(day, str) else datetime.fromisoformat(day).date()
        volume[channel][index[day]] = count
    out = {"days": [d.isoformat() for d in days], "volume": dict(sorted(volume.items())),
           "solved": [0] * len(days), "first_response_avg": [None] * len(days), "resolution_avg": [None] * len(days),
           "sla_pct": [None] * len(days), "csat_avg": [None] * len(days)}
    r = ReportDaily
    query = apply_filter(select(r.day, func.sum(r.solved), func.sum(r.first_responses), func.sum(r.first_response_seconds),
                          func.sum(r.resolution_seconds), func.sum(r.sla_first_response_met + r.sla_resolution_met),
                          func.sum(r.sla_first_response_missed + r.sla_resolution_missed)), r, f, r.day)
    for day, solved, responses, fr_seconds, res_seconds, met, missed in db.session.execute(query.group_by(r.day)):
        i = index[day]
        out["solved"][i] = int(solved or 0)
        out["first_response_avg"][i] = round(fr_seconds / responses) if responses else None
        out["resolution_avg"][i] = round(res_seconds / solved) if solved else None
        out["sla_pct"][i] = sla_compliance.percent(int(met or 0), int(missed or 0))
    sent_day = func.date(Survey.sent_at)
    query = apply_filter(select(sent_day, func.avg(Survey.score)).where(Survey.kind == "csat", Survey.score.is_not(None),
                                                                  *sent_between(f)), Survey, f, None)
    for day, avg in db.session.execute(query.group_by(sent_day)):
        day = day if not isinstance(day, str) else datetime.fromisoformat(day).date()
        out["csat_avg"][index[day]] = round(float(avg), 2)
    return out
