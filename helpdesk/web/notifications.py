"""What staff do with their notifications in the console: mark read, all read, choose e-mail; the
unread count the navigation shows (and re-fetches live); staff names for @mentions in a note."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, request, url_for
from flask_login import current_user, login_required

from helpdesk.services import mentions, notifications
from helpdesk.services.notifications import NotificationNotFound
from helpdesk.web.common import ticket_or_404

bp = Blueprint("notifications", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every notification action needs a signed-in staff member."""


@bp.app_context_processor
def _unread():
    """`unread_notifications()` for the navigation's badge, computed only where a page shows it."""
    return {"unread_notifications": lambda: notifications.unread_count(current_user)
            if current_user.is_authenticated else 0}


def _back():
    return redirect(url_for("dashboard.notification_list"), code=303)


@bp.post("/notifications/<int:notification_id>/read")
def mark_read(notification_id: int):
    """Mark one of my notifications read."""
    try:
        notifications.mark_read(current_user, notification_id)
    except NotificationNotFound:
        abort(404)
    return _back()


@bp.post("/notifications/read")
def mark_all_read():
    """Mark every notification of mine read."""
    notifications.mark_all_read(current_user)
    return _back()


@bp.post("/notifications/preferences")
def preferences():
    """Whether my notifications also come by e-mail."""
    notifications.set_email(current_user, request.form.get("email") == "1")
    return _back()


@bp.get("/notifications/unread")
def unread():
    """My unread count, for the navigation's badge."""
    return jsonify({"unread": notifications.unread_count(current_user)})


@bp.get("/tickets/<int:ticket_id>/mentionable")
def mentionable(ticket_id: int):
    """Staff who may see the ticket, whose name or e-mail starts with `q`: the note's @ completion."""
    ticket = ticket_or_404(ticket_id)
    users = mentions.candidates(ticket, (request.args.get("q") or "")[:100])
    return jsonify({"items": [{"id": u.id, "name": u.name} for u in users]})
