"""Related tickets on the ticket page: link another ticket by number, unlink it, split chosen
messages into a new ticket. Plain form posts answered with a redirect (post/redirect/get)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_required

from helpdesk.i18n import gettext as _
from helpdesk.services import ticket_links, tickets, timeline
from helpdesk.services.tickets import TicketError
from helpdesk.web.common import BadInput, optional_int, ticket_or_404

bp = Blueprint("ticket_links", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every action needs a signed-in staff member."""


@bp.app_context_processor
def _helpers():
    """The ticket page's related tickets and readable timeline, computed where the page shows them."""
    return {"related_tickets": lambda ticket: ticket_links.links_of(current_user, ticket),
            "timeline_entries": timeline.describe}


def _back(ticket_id: int):
    return redirect(url_for("tickets.show", ticket_id=ticket_id) + "#related", code=303)


@bp.post("/tickets/<int:ticket_id>/links")
def link(ticket_id: int):
    """Link a related ticket, given by number."""
    ticket = ticket_or_404(ticket_id)
    try:
        number = optional_int(request.form.get("number", "").strip().lstrip("#"), "number")
        if number is None:
            raise BadInput("number", _("give the number of the related ticket"))
        other = tickets.get_for(current_user, number)
        ticket_links.link(ticket, other, current_user)
    except tickets.TicketNotFound:
        flash(_("Not linked: no such ticket."), "error")
    except (BadInput, TicketError) as exc:
        flash(_("Not linked: %(message)s.", message=exc.message), "error")
    else:
        flash(_("Linked to #%(number)s.", number=other.number), "ok")
    return _back(ticket_id)


@bp.post("/tickets/<int:ticket_id>/links/<int:other_id>/delete")
def unlink(ticket_id: int, other_id: int):
    """Remove a link."""
    ticket, other = ticket_or_404(ticket_id), ticket_or_404(other_id)
    try:
        ticket_links.unlink(ticket, other, current_user)
    except TicketError as exc:
        flash(_("Not unlinked: %(message)s.", message=exc.message), "error")
    return _back(ticket_id)


@bp.post("/tickets/<int:ticket_id>/split")
def split(ticket_id: int):
    """Move the chosen messages to a new ticket of the same customer, then show the new ticket."""
    ticket = ticket_or_404(ticket_id)
    try:
        ids = [optional_int(v, "message_ids") for v in request.form.getlist("message_ids")]
        new = ticket_links.split(ticket, [i for i in ids if i], current_user, request.form.get("subject"))
    except (BadInput, TicketError) as exc:
        flash(_("Not split: %(message)s.", message=exc.message), "error")
        return _back(ticket_id)
    flash(_("Split into #%(number)s.", number=new.number), "ok")
    return redirect(url_for("tickets.show", ticket_id=new.id), code=303)
