"""What an agent does on a ticket page: reply, note, change properties, merge, retry a delivery.

Plain form posts answered with a redirect back to the page (post/redirect/get); the page itself
updates live from the events these changes publish, for this agent and everyone else.
"""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, request, url_for
from flask_login import current_user, login_required

from channels.base import Attachment as OutgoingFile
from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.services import replies, tickets
from helpdesk.services.replies import ReplyError
from helpdesk.services.tickets import TicketError
from helpdesk.web.common import BadInput, message_or_404, optional_int, ticket_or_404, uploaded_files

bp = Blueprint("ticket_actions", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every action needs a signed-in staff member."""


def _back(ticket_id: int, anchor: str = ""):
    return redirect(url_for("tickets.show", ticket_id=ticket_id) + anchor, code=303)


def _uploaded_files() -> tuple[OutgoingFile, ...]:
    try:
        return uploaded_files("files")
    except BadInput as exc:
        raise ReplyError(exc.field, exc.message) from None


THEN_STATUSES = ("pending", "solved")


@bp.post("/tickets/<int:ticket_id>/reply")
def reply(ticket_id: int):
    """A public reply (queued for delivery) or, with `internal=1`, an internal note; with
    `then_status=pending|solved` ("Send and set ...") the status changes once the reply is stored."""
    ticket = ticket_or_404(ticket_id)
    internal = request.form.get("internal") == "1"
    then_status = request.form.get("then_status") or None
    if then_status not in (None, *THEN_STATUSES):
        flash(_("Not sent: then_status must be one of %(choices)s.", choices=list(THEN_STATUSES)), "error")
        return _back(ticket_id, "#composer")
    try:
        message = replies.add_reply(ticket, current_user, body=request.form.get("body", ""), internal=internal,
                                    files=_uploaded_files(), reply_all=request.form.get("reply_all") == "1")
    except ReplyError as exc:
        flash(_("Not sent: %(field)s %(message)s.", field=exc.field, message=exc.message), "error")
        return _back(ticket_id, "#composer")
    if then_status:
        tickets.update_ticket(ticket, current_user, status=then_status)
    return _back(ticket_id, f"#message-{message.id}")


@bp.post("/tickets/<int:ticket_id>/update")
def update(ticket_id: int):
    """Change status, priority, group, assignee and tags from the properties panel.

    The page script posts it in the background (`X-Requested-With: fetch`) and gets JSON back, so
    the composer keeps what is being typed; without the script it is a form post and a redirect."""
    ticket = ticket_or_404(ticket_id)
    if request.headers.get("X-Requested-With") == "fetch":
        return _update_in_background(ticket)
    form = request.form
    try:
        done = tickets.update_ticket(ticket, current_user, **_form_changes(form))
    except (BadInput, TicketError) as exc:
        db.session.rollback()
        flash(_("Not changed: %(field)s %(message)s.", field=exc.field, message=exc.message), "error")
        return _back(ticket_id)
    if done:
        flash(_("Ticket updated."), "ok")
    if not tickets.can_see(current_user, ticket):
        flash(_("Ticket #%(ticket_id)s moved to a group you are not in.", ticket_id=ticket_id), "ok")
        return redirect(url_for("tickets.list_tickets"), code=303)
    return _back(ticket_id)


def _form_changes(form) -> dict:
    changes: dict = {}
    for name in ("status", "priority"):
        if name in form:
            changes[name] = form[name]
    if "group_id" in form:
        changes["group_id"] = optional_int(form["group_id"], "group_id")
    if "assignee_id" in form:
        changes["assignee_id"] = optional_int(form["assignee_id"], "assignee_id")
    if "tags" in form:
        changes["tags"] = [t for t in form["tags"].split(",") if t.strip()]
    custom = {name[3:]: (value if value.strip() else None) for name, value in form.items() if name.startswith("cf.")}
    if custom:
        changes["custom_fields"] = custom
    return changes


def _update_in_background(ticket):
    try:
        done = tickets.update_ticket(ticket, current_user, **_form_changes(request.form))
    except (BadInput, TicketError) as exc:
        db.session.rollback()
        return jsonify(field=exc.field, message=exc.message), 422
    # Still visible? Moving the ticket to a group the agent is not in takes it out of their reach.
    return jsonify(changes=done, visible=tickets.can_see(current_user, ticket))


@bp.post("/tickets/<int:ticket_id>/merge")
def merge(ticket_id: int):
    """Merge this ticket into another one the agent can see (by number)."""
    source = ticket_or_404(ticket_id)
    try:
        number = optional_int(request.form.get("target", "").strip().lstrip("#"), "target")
        if number is None:
            raise BadInput("target", _("give the number of the ticket to merge into"))
        target = tickets.get_for(current_user, number)
        tickets.merge_tickets(source, target, current_user)
    except tickets.TicketNotFound:
        flash(_("Not merged: no such ticket."), "error")
        return _back(ticket_id)
    except (BadInput, TicketError) as exc:
        flash(_("Not merged: %(field)s %(message)s.", field=exc.field, message=exc.message), "error")
        return _back(ticket_id)
    flash(_("Ticket #%(source_id)s merged into #%(target_id)s.", source_id=source.id, target_id=target.id), "ok")
    return _back(target.id)


@bp.post("/tickets/<int:ticket_id>/messages/<int:message_id>/retry")
def retry(ticket_id: int, message_id: int):
    """Put a failed reply back in the outbox."""
    ticket = ticket_or_404(ticket_id)
    message = message_or_404(ticket, message_id)
    try:
        replies.retry(message, current_user)
    except ReplyError as exc:
        flash(_("Not retried: %(message)s.", message=exc.message), "error")
    return _back(ticket_id, f"#message-{message_id}")
