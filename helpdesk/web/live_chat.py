"""The live chat queue in the console: waiting chats, mine, colleagues', with accept and transfer.

The page keeps itself current from the socket's events (see frontend/live_chat.js); the chat
itself is worked on the ordinary ticket page.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.services.tickets import TicketError
from helpdesk.services.webchat import live_chat
from helpdesk.services.webchat.live_chat import ChatError
from helpdesk.web.common import BadInput, all_groups, assignable_users, optional_int, preload, ticket_or_404

bp = Blueprint("live_chat", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Only signed-in staff see the queue."""


@bp.get("/chats")
def queue():
    """Waiting, mine and others; with `fragment=queue` only the live part, for the page's refresh."""
    chats = live_chat.queue(current_user)
    preload(chats.waiting + chats.mine + chats.others)
    template = "chats/_queue.html" if request.args.get("fragment") == "queue" else "chats/queue.html"
    return render_template(template, chats=chats, groups=all_groups(), users=assignable_users())


@bp.post("/chats/<int:ticket_id>/accept")
def accept(ticket_id: int):
    """Take a waiting chat and open it."""
    ticket = ticket_or_404(ticket_id)
    try:
        live_chat.accept(ticket, current_user)
    except (ChatError, TicketError) as exc:
        db.session.rollback()
        flash(_("Not accepted: %(reason)s.", reason=exc), "error")
        return redirect(url_for("live_chat.queue"), code=303)
    return redirect(url_for("tickets.show", ticket_id=ticket.id), code=303)


@bp.post("/chats/<int:ticket_id>/transfer")
def transfer(ticket_id: int):
    """Hand a chat to another agent (`assignee_id`) or another group's queue (`group_id`)."""
    ticket = ticket_or_404(ticket_id)
    try:
        live_chat.transfer(ticket, current_user, assignee_id=optional_int(request.form.get("assignee_id"), "assignee_id"),
                           group_id=optional_int(request.form.get("group_id"), "group_id"))
    except (ChatError, TicketError, BadInput) as exc:
        db.session.rollback()
        flash(_("Not transferred: %(reason)s.", reason=exc), "error")
    else:
        flash(_("Chat #%(number)s transferred.", number=ticket.number), "ok")
    back = url_for("tickets.show", ticket_id=ticket.id) if request.form.get("back") == "ticket" else None
    return redirect(back or url_for("live_chat.queue"), code=303)
