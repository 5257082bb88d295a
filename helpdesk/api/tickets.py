"""Ticket endpoints: list with the console's filters, read with messages and timeline, open on a
customer's behalf, change, reply, merge, retry a failed delivery.

A ticket outside the caller's groups answers 404 exactly like a ticket that does not exist.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort

from channels.web.form import FormSubmission
from helpdesk.api import ticket_json
from helpdesk.api.auth import ProtectedBlueprint, current_staff
from helpdesk.api.errors import fail, service_errors
from helpdesk.api.schemas import (
    MAX_ID,
    Expanded,
    MergeSchema,
    MessageSchema,
    NewTicketSchema,
    ReplySchema,
    TicketChangesSchema,
    TicketDetailSchema,
    TicketPageSchema,
    TicketQuerySchema,
    TicketSchema,
)
from helpdesk.extensions import db
from helpdesk.models import Message, Ticket
from helpdesk.services import replies, submissions, ticket_rows, tickets, transactions
from helpdesk.services.tickets import TicketFilter, TicketNotFound

blp = ProtectedBlueprint("api-tickets", __name__, url_prefix="/api/v1/tickets", description=(
    "Tickets of the caller's groups (every group for admins and supervisors). "
    "A ticket of another group answers 404, like one that does not exist."))


def ticket_or_404(ticket_id: int) -> Ticket:
    """The ticket if the caller may see it; 404 for a missing and a foreign ticket alike."""
    try:
        return tickets.get_for(current_staff(), ticket_id)
    except TicketNotFound:
        abort(404, message=f"no ticket {ticket_id}")


@blp.route("")
class TicketList(MethodView):
    """The collection: list and open tickets."""

    @blp.arguments(TicketQuerySchema, location="query")
    @blp.response(200, TicketPageSchema)
    def get(self, args: dict):
        """List tickets

        The console's views and filters, keyset-paginated: follow `next_cursor` until it is null.
        `view` defaults to `all` here, so that `status` alone selects any status.
        """
        paging = {key: args.pop(key, None) for key in ("sort", "cursor", "limit")}
        args["custom"] = dict(item.split(":", 1) for item in args.get("custom") or [])
        with service_errors("query"):
            page = ticket_rows.list_rows(current_staff(), TicketFilter(**args), **paging)
        return ticket_json.page_response(page)  # TicketPageSchema's body, written from rows

    @blp.arguments(NewTicketSchema)
    @blp.response(201, TicketSchema)
    @blp.alt_response(200, schema=TicketSchema, success=True,
                      description="`external_id` was sent before by this user: the ticket it opened.")
    def post(self, data: dict):
        """Open a ticket

        Goes through the same ingestion as every channel: the customer is found by e-mail address
        (or created), priority and routing rules apply, agents are notified. `priority`, `status`,
        `tags`, `group` and `assignee_id` are then set as an agent sets them in the console (and
        recorded in the timeline); a value the console would refuse answers 422 naming the field,
        and nothing is stored.
        """
        customer = data["customer"]
        submission = FormSubmission(email=customer["email"], name=customer.get("name"), subject=data.get("subject"),
                                    body=data["body"], group=data.get("group"), submission_id=data.get("external_id"))
        properties = submissions.Properties(channel=data["channel"], priority=data.get("priority"),
                                            status=data.get("status"), tags=data.get("tags") or [],
                                            assignee_id=data.get("assignee_id"))
        with service_errors():
            result = submissions.submit(submission, client=current_staff(), properties=properties)
        transactions.done_writing()  # the answer is read and rendered without the write lock
        return ticket_json.ticket_response(ticket_rows.one_row(result.ticket_id)), 200 if result.duplicate else 201


@blp.route("/<int:ticket_id>")
class TicketItem(MethodView):
    """One ticket: read and change it."""

    @blp.response(200, TicketDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, ticket_id: int):
        """Read a ticket with its messages and timeline"""
        ticket = ticket_or_404(ticket_id)
        return Expanded(ticket, {"messages": tickets.messages_of(ticket), "events": tickets.timeline_of(ticket)})

    @blp.arguments(TicketChangesSchema)
    @blp.response(200, TicketSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, changes: dict, ticket_id: int):
        """Change a ticket

        Each change is recorded in the timeline. An assignee must belong to the ticket's group.
        """
        ticket = ticket_or_404(ticket_id)
        with service_errors():
            tickets.update_ticket(ticket, current_staff(), **changes)
        return ticket


@blp.route("/<int:ticket_id>/replies", methods=["POST"])
@blp.arguments(ReplySchema)
@blp.response(201, MessageSchema)
@blp.alt_response(404, response="NOT_FOUND")
def reply(data: dict, ticket_id: int):
    """Reply to the customer, or add an internal note

    A reply is stored as `queued` and delivered by a background job; its `delivery_state` becomes
    `sent`, or `failed` with `delivery_error` (retry it with `.../retry`). The author's draft on the
    ticket is discarded; `then_status` sets the status once the reply is stored. With `reply_all` it
    is copied (Cc) to the other people on the customer's latest mail; `cc` lists them.
    """
    ticket = ticket_or_404(ticket_id)
    with service_errors():
        message = replies.add_reply(ticket, current_staff(), body=data["body"], internal=data["internal"],
                                    reply_all=data["reply_all"])
    if data.get("then_status"):
        tickets.update_ticket(ticket, current_staff(), status=data["then_status"])
    return message


@blp.route("/<int:ticket_id>/merge", methods=["POST"])
@blp.arguments(MergeSchema)
@blp.response(200, TicketSchema)
@blp.alt_response(404, response="NOT_FOUND")
def merge(data: dict, ticket_id: int):
    """Merge this ticket into another

    Every message moves to the target, which is returned; this ticket is closed as merged.
    """
    source = ticket_or_404(ticket_id)
    try:
        target = tickets.get_for(current_staff(), data["target_id"])
    except TicketNotFound:
        fail(422, "json", "target_id", f"no ticket {data['target_id']}")
    with service_errors(rename={"target": "target_id"}):
        return tickets.merge_tickets(source, target, current_staff())


@blp.route("/<int:ticket_id>/messages/<int:message_id>/retry", methods=["POST"])
@blp.response(200, MessageSchema)
@blp.alt_response(404, response="NOT_FOUND")
def retry(ticket_id: int, message_id: int):
    """Retry delivering a failed reply"""
    ticket = ticket_or_404(ticket_id)
    message = db.session.get(Message, message_id) if message_id <= MAX_ID else None
    if message is None or message.ticket_id != ticket.id:
        abort(404, message=f"no message {message_id} on ticket {ticket_id}")
    with service_errors("path"):
        return replies.retry(message, current_staff())
