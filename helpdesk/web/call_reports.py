"""The Calls view of the reports (/reports/calls): calls offered, answered, missed, abandoned
rate, average speed of answer and handle time, per agent, group and hour of the day; each table
as CSV. Supervisors and admins only (agents get 403), like the other reports."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required

from helpdesk.extensions import db
from helpdesk.models import Group
from helpdesk.models.base import utcnow
from helpdesk.services.calls import metrics
from helpdesk.services.reports import export as report_export
from helpdesk.services.reports import tables as reports
from helpdesk.services.reports.tables import ReportError

bp = Blueprint("call_reports", __name__, url_prefix="/reports/calls")


@bp.before_request
@login_required
def _supervisors_only():
    """Reports are for supervisors and admins."""
    if not current_user.sees_all_groups:
        abort(403)


def _view() -> str:
    view = request.args.get("view", "agent")
    return view if view in metrics.DIMENSIONS else "agent"


@bp.get("")
def show():
    """Totals and one table (`view`: agent, group or hour) for the range and group in the query."""
    groups = db.session.scalars(db.select(Group).order_by(Group.name)).all()
    page = {"groups": groups, "args": request.args, "view": _view(), "metrics": metrics.METRICS}
    try:
        f = reports.parse_filter({k: v for k, v in request.args.items() if k in ("start", "end", "group_id")},
                                 utcnow().date())
    except ReportError as exc:
        return render_template("reports/calls.html", f=None, error=exc, rows=[], totals={}, **page), 400
    return render_template("reports/calls.html", f=f, error=None, rows=metrics.table(page["view"], f),
                           totals=metrics.totals(f), **page)


@bp.get("/<any(agent, group, hour):dimension>.csv")
def table_csv(dimension: str):
    """One table as CSV (formula-leading text neutralised)."""
    try:
        f = reports.parse_filter({k: v for k, v in request.args.items() if k in ("start", "end", "group_id")},
                                 utcnow().date())
    except ReportError as exc:
        abort(400, description=f"{exc.field}: {exc.message}")
    body = report_export.to_csv(("key", "label", *metrics.METRICS), metrics.table(dimension, f))
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="calls-{dimension}-{f.start}-{f.end}.csv"'})
