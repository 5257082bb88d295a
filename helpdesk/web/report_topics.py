"""The Topics report in the console (supervisors and admins; agents get 403): tickets per topic
per day or week, by channel and group, trending topics, and per topic the response and
resolution times, reopen rate and CSAT. Every number links to the ticket list filtered to the
tickets behind it; the table downloads as CSV; the chart reads `series.json`."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Group, Topic, TopicModel
from helpdesk.models.base import utcnow
from helpdesk.services.reports import export as report_export
from helpdesk.services.reports import tables as reports
from helpdesk.services.reports import topics as topic_report
from helpdesk.services.reports.tables import ReportError

bp = Blueprint("report_topics", __name__, url_prefix="/reports")
CHART_TOPICS = 8  # the chart stacks the biggest topics; the rest are one "other" band


@bp.before_request
@login_required
def _supervisors_only():
    if not current_user.sees_all_groups:
        abort(403)


def _report_or_400():
    try:
        f, period, hidden = _args()
    except ReportError as exc:
        abort(400, description=f"{exc.field}: {exc.message}")
    return f, topic_report.report(f, period, hidden)


def _args():
    period = request.args.get("period", "day")
    if period not in topic_report.PERIODS:
        raise ReportError("period", _("must be one of %(list)s", list=list(topic_report.PERIODS)))
    return reports.parse_filter(request.args, utcnow().date()), period, request.args.get("hidden") == "1"


@bp.get("/topics")
def show():
    """The report for the filters in the query string (the last 30 days by day by default)."""
    groups = db.session.scalars(select(Group).order_by(Group.name)).all()
    fitted = db.session.scalar(select(TopicModel.fitted_at).order_by(TopicModel.id.desc()).limit(1))
    has_topics = db.session.scalar(select(Topic.id).limit(1)) is not None
    page = {"groups": groups, "args": request.args, "fitted_at": fitted, "has_topics": has_topics,
            "link": topic_report.ticket_query}
    try:
        f, period, hidden = _args()
    except ReportError as exc:
        return render_template("reports/topics.html", f=None, result=None, error=exc, **page), 400
    result = topic_report.report(f, period, hidden)
    return render_template("reports/topics.html", f=f, result=result, error=None, previous=topic_report.previous_range(f),
                           ranges=topic_report.period_ranges(result), **page)


@bp.get("/topics.csv")
def table_csv():
    """The report's table as CSV: one row per topic, then its tickets per period."""
    f, result = _report_or_400()
    periods = [p.isoformat() for p in result.periods]
    rows = [row | {p: row["by_period"].get(p, 0) for p in periods} for row in result.rows]
    body = report_export.to_csv((*topic_report.COLUMNS, *periods), rows)
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="report-topics-{f.start}-{f.end}.csv"'})


@bp.get("/topics/series.json")
def series():
    """Tickets per period of the biggest topics (and the rest as one), for the chart."""
    _f, result = _report_or_400()
    periods = [p.isoformat() for p in result.periods]
    top, rest = result.rows[:CHART_TOPICS], result.rows[CHART_TOPICS:]
    bands = {row["label"]: [row["by_period"].get(p, 0) for p in periods] for row in top}
    if rest:
        bands["(other)"] = [sum(r["by_period"].get(p, 0) for r in rest) for p in periods]
    return jsonify({"periods": periods, "topics": bands})
