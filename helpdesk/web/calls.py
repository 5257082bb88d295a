"""The call log in the console: my calls (agents), every call of my groups or of one agent
(supervisors), one call with the forms that log it on a ticket, and taking a ringing call from
the popup. Agents see the calls of their groups and their own; anything else is a 404."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import User
from helpdesk.models.calls import CALL_STATES
from helpdesk.services.calls import live
from helpdesk.services.calls import log as call_log
from helpdesk.services.calls import tickets as call_tickets
from helpdesk.services.tickets import TicketError
from helpdesk.web.common import BadInput, optional_int

bp = Blueprint("calls", __name__, url_prefix="/calls")


@bp.before_request
@login_required
def _signed_in():
    """Every call page needs a signed-in staff member."""


def _call_or_404(call_id: int):
    try:
        return call_log.get_for(current_user, call_id)
    except call_log.CallNotFound:
        abort(404)


def _int_arg(name: str) -> int | None:
    try:
        return optional_int(request.args.get(name, ""), name)
    except BadInput as exc:
        abort(400, description=str(exc))


@bp.get("")
def call_list():
    """The call log: `mine` (the default for agents), or all calls I may see (`agent=<id>` for one
    agent, `state=` one of CALL_STATES); pages by `before`."""
    state = request.args.get("state") or None
    if state is not None and state not in CALL_STATES:
        abort(400, description=f"state must be one of {', '.join(CALL_STATES)}")
    scope = request.args.get("scope", "mine" if not current_user.sees_all_groups else "all")
    agent_id = _int_arg("agent") if scope != "mine" else current_user.id
    page = call_log.calls(current_user, agent_id=agent_id, state=state, before=_int_arg("before"))
    agents = db.session.scalars(db.select(User).where(User.active).order_by(User.name)).all() \
        if current_user.sees_all_groups else []
    return render_template("calls/list.html", page=page, scope=scope, state=state, agent_id=agent_id, agents=agents,
                           states=CALL_STATES)


@bp.get("/<int:call_id>")
def show(call_id: int):
    """One call: who, when, how long, its ticket; an answered call not yet logged has the forms."""
    call = _call_or_404(call_id)
    return render_template("calls/show.html", call=call, open_tickets=call_log.open_tickets_for(current_user, call))


@bp.post("/<int:call_id>/answer")
def answer(call_id: int):
    """Take a ringing call from the popup: JSON {ok, call_id, url} or 409 when someone else has it."""
    call = _call_or_404(call_id)
    try:
        call = live.take(call, current_user)
    except live.CallTaken:
        return jsonify(ok=False, error=_("Someone else answered this call, or it is over.")), 409
    return jsonify(ok=True, call_id=call.id, url=url_for("calls.show", call_id=call.id))


@bp.post("/<int:call_id>/log")
def log_call(call_id: int):
    """Log an answered call: `mode=new` opens a phone ticket (subject, note), `mode=note` adds
    a note to one of the caller's open tickets (ticket_id, note)."""
    call = _call_or_404(call_id)
    form = request.form
    try:
        if form.get("mode") == "note":
            ticket_id = optional_int(form.get("ticket_id", ""), "ticket_id")
            if ticket_id is None:
                raise TicketError("ticket_id", _("choose one of the caller's open tickets"))
            ticket = call_tickets.log_on_ticket(call, current_user, ticket_id, note=form.get("note", ""))
        else:
            ticket = call_tickets.log_as_ticket(call, current_user, subject=form.get("subject", ""),
                                                note=form.get("note", ""))
    except (TicketError, BadInput) as exc:
        db.session.rollback()
        flash(_("Call not logged: %(why)s.", why=str(exc)), "error")
        return render_template("calls/show.html", call=call, open_tickets=call_log.open_tickets_for(current_user, call)), 400
    flash(_("Call logged on ticket #%(number)s.", number=ticket.number), "ok")
    return redirect(url_for("tickets.show", ticket_id=ticket.id))
