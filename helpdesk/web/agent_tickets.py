"""Opening a ticket from the console for a customer who called or walked in (or to write to them):
find the customer by name, e-mail or phone, or create them on the spot, then say what they want."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from helpdesk.i18n import gettext as _
from helpdesk.services import agent_tickets
from helpdesk.services.agent_tickets import CHANNELS, NewCustomer
from helpdesk.services.tickets import TicketError
from helpdesk.web.common import BadInput, optional_int

bp = Blueprint("agent_tickets", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in staff member."""


@bp.app_context_processor
def _finder():
    """`find_customers(q, excluding)`: the customers the signed-in agent may see matching `q` by
    name, e-mail or phone (the customer page's merge picks the record to keep with it)."""
    def find_customers(q: str | None, excluding: int | None = None):
        return [c for c in agent_tickets.customers_for(current_user, (q or "")[:200], limit=9) if c.id != excluding][:8]

    return {"find_customers": find_customers}


def _form(error: TicketError | BadInput | None = None, status: int = 200):
    form = request.form if request.method == "POST" else request.args
    q = (form.get("q") or "").strip()[:200]
    return render_template("tickets/new.html", q=q, found=agent_tickets.customers_for(current_user, q),
                           form=form, channels=CHANNELS, groups=agent_tickets.group_choices(current_user),
                           request_id=form.get("request_id") or uuid.uuid4().hex, error=error), status


@bp.get("/tickets/new")
def new():
    """The form; `q` searches the customers this agent may see."""
    return _form()


@bp.post("/tickets/new")
def create():
    """Open the ticket and show it; the form again, with the reason, when something is wrong."""
    form = request.form
    try:
        customer_id = optional_int(form.get("customer_id"), "customer_id")
        new_customer = None
        if customer_id is None and (form.get("new_name") or "").strip():
            new_customer = NewCustomer(name=form["new_name"], email=form.get("new_email") or None,
                                       phone=form.get("new_phone") or None)
        ticket = agent_tickets.open_ticket(
            current_user, channel=form.get("channel", ""), subject=form.get("subject", ""), body=form.get("body", ""),
            first_text=form.get("first_text", "customer"), customer_id=customer_id, new_customer=new_customer,
            group_id=optional_int(form.get("group_id"), "group_id"), request_id=(form.get("request_id") or "")[:64] or None)
    except (TicketError, BadInput) as exc:
        return _form(exc, 422)
    flash(_("Ticket #%(number)s opened for %(name)s.", number=ticket.number, name=ticket.customer.name), "ok")
    return redirect(url_for("tickets.show", ticket_id=ticket.id), code=303)
