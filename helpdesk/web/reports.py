"""Agent performance reports in the console: supervisors and admins only (agents get 403).

The page shows the agent table (sortable) and the group, channel and priority breakdowns for the
filters in the query string; every number links to the tickets behind it; every table downloads
as CSV; the charts read `series.json`.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, Response, abort, jsonify, render_template, request
from flask_login import current_user, login_required

from helpdesk.extensions import db
from helpdesk.models import Group
from helpdesk.models.base import utcnow
from helpdesk.services.fields import breakdown
from helpdesk.services.fields import definitions as field_definitions
from helpdesk.services.reports import details as report_details
from helpdesk.services.reports import export as report_export
from helpdesk.services.reports import tables as reports
from helpdesk.services.reports.tables import ReportError

bp = Blueprint("reports", __name__, url_prefix="/reports")
DRILL_COLUMNS = ("ticket_id", "subject", "agent", "at", "value")


def _supervisors_only() -> None:
    if not current_user.sees_all_groups:
        abort(403)


def _filter_or_400():
    try:
        return reports.parse_filter(request.args, utcnow().date())
    except ReportError as exc:
        abort(400, description=f"{exc.field}: {exc.message}")


def _sort() -> tuple[str, bool]:
    sort = request.args.get("sort", "label")
    return (sort if sort in ("label", *reports.METRICS) else "label"), request.args.get("dir") == "desc"


def _csv(name: str, columns, rows) -> Response:
    return Response(report_export.to_csv(columns, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


@bp.get("")
@login_required
def show():
    """The report page for the filters in the query string (the last 30 days by default): one
    table at a time (`view`: agent by default, or group, channel, priority), so a year-long page
    costs one table's work, not four."""
    _supervisors_only()
    groups = db.session.scalars(db.select(Group).order_by(Group.name)).all()
    sort, descending = _sort()
    view = request.args.get("view", "agent")
    view = view if view in reports.DIMENSIONS else "agent"
    page = {"metrics": reports.METRICS, "sort": sort, "descending": descending, "groups": groups,
            "args": request.args, "view": view}
    try:
        f = reports.parse_filter(request.args, utcnow().date())
    except ReportError as exc:  # the form comes back with what was typed and what is wrong
        return render_template("reports/page.html", f=None, tables={}, error=exc, **page), 400
    return render_template("reports/page.html", f=f, tables={view: reports.table(view, f, sort, descending)},
                           error=None, field_breakdowns=_field_breakdowns(f), **page)


def _field_breakdowns(f) -> list[tuple[str, list[tuple[str, int]]]]:
    """Tickets created in the report's days by each dropdown custom field of tickets."""
    since = datetime.combine(f.start, time.min)
    until = datetime.combine(f.end + timedelta(days=1), time.min)
    return [(field.label, breakdown.tickets_by_field(field.key, since, until, current_user))
            for field in field_definitions.active("ticket") if field.kind == "dropdown"]


@bp.get("/<any(agent, group, channel, priority):dimension>.csv")
@login_required
def table_csv(dimension: str):
    """One table of the report as CSV (formula-leading text neutralised)."""
    _supervisors_only()
    f = _filter_or_400()
    sort, descending = _sort()
    rows = reports.table(dimension, f, sort, descending)
    return _csv(f"report-{dimension}-{f.start}-{f.end}", ("key", "label", *reports.METRICS), rows)


@bp.get("/tickets")
@login_required
def tickets_behind():
    """The tickets behind one number of the report (`metric`, `dimension`, `key`); `format=csv`."""
    _supervisors_only()
    f = _filter_or_400()
    dimension, metric = request.args.get("dimension", "agent"), request.args.get("metric", "")
    try:
        key = reports.parse_key(dimension, request.args.get("key"))
        rows = report_details.tickets_behind(metric, dimension, key, f)
    except ReportError as exc:
        abort(400, description=f"{exc.field}: {exc.message}")
    if request.args.get("format") == "csv":
        return _csv(f"report-{metric}-{f.start}-{f.end}", DRILL_COLUMNS, rows)
    label = reports.labels(dimension, [key]).get(key, key)
    return render_template("reports/tickets.html", f=f, rows=rows, metric=metric, dimension=dimension, label=label,
                           args=request.args, limit=report_details.DRILL_LIMIT)


@bp.get("/series.json")
@login_required
def series():
    """Per-day series for the charts: volume by channel, response times, SLA compliance, CSAT."""
    _supervisors_only()
    return jsonify(report_details.series(_filter_or_400()))
