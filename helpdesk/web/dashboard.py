"""The supervisor dashboard (supervisors and admins; anyone else gets 404) and the console's
notification list (every staff member)."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request
from flask_login import current_user, login_required

from helpdesk.realtime import online
from helpdesk.services import notifications
from helpdesk.services.sla import dashboard as sla_dashboard
from helpdesk.web.common import preload

bp = Blueprint("dashboard", __name__)


def _supervisors_only() -> None:
    if not current_user.sees_all_groups:
        abort(404)


@bp.get("/dashboard")
@login_required
def show():
    """Open tickets by SLA state, at-risk tickets, breaches, compliance, agents online.

    With `fragment=panels` only the panels are rendered: the live page swaps them in on every
    event that can change a figure.
    """
    _supervisors_only()
    board = sla_dashboard.board(online.online.user_ids())
    preload(board.at_risk)
    template = "dashboard/_panels.html" if request.args.get("fragment") == "panels" else "dashboard/page.html"
    return render_template(template, board=board, states=sla_dashboard.STATES)


@bp.get("/dashboard/series.json")
@login_required
def series():
    """Breaches and compliance per day over the last 30 days, for the chart."""
    _supervisors_only()
    return jsonify(sla_dashboard.series())


@bp.get("/notifications")
@login_required
def notification_list():
    """The newest notifications for the signed-in staff member (unread ones marked) and their groups."""
    return render_template("dashboard/notifications.html", notifications=notifications.recent_for(current_user),
                           unread=notifications.unread_count(current_user),
                           wants_email=notifications.wants_email(current_user.id))
