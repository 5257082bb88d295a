"""Related tickets over the API: list, link and unlink a ticket's related tickets, and split chosen
messages into a new ticket of the same customer (the two are linked). Tickets the caller may not
see answer 404, on either side of a link."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from helpdesk.api.auth import ProtectedBlueprint, current_staff
from helpdesk.api.errors import fail, service_errors
from helpdesk.api.schemas import TicketSchema, Timestamp, body_id
from helpdesk.api.tickets import ticket_or_404
from helpdesk.services import ticket_links, tickets
from helpdesk.services.tickets import TicketNotFound

blp = ProtectedBlueprint("api-ticket-links", __name__, url_prefix="/api/v1/tickets", description=(
    "Related tickets: links an agent made, and the ticket a split made (split_into / split_from)."))


class LinkSchema(Schema):
    """A ticket linked to this one."""

    ticket = fields.Nested(TicketSchema, attribute="other")
    kind = fields.String(metadata={"description": "`related`, `split_into` (this ticket's messages went to it) or "
                                                  "`split_from`."})
    created_at = Timestamp(attribute="link.created_at")


class LinkListSchema(Schema):
    items = fields.List(fields.Nested(LinkSchema))


class NewLinkSchema(Schema):
    ticket_id = body_id(required=True, metadata={"description": "The related ticket."})


class SplitSchema(Schema):
    message_ids = fields.List(body_id(), required=True, validate=validate.Length(1, 500), metadata={
        "description": "Messages of this ticket that move to the new ticket; at least one must stay."})
    subject = fields.String(validate=validate.Length(max=255), metadata={
        "description": "The new ticket's subject; default `Split from #N: <subject>`."})


def _other(ticket_id: int):
    try:
        return tickets.get_for(current_staff(), ticket_id)
    except TicketNotFound:
        fail(422, "json", "ticket_id", f"no ticket {ticket_id}")


def _listed(ticket) -> dict:
    return {"items": [{"other": other, "kind": link.kind, "link": link}
                      for link, other in ticket_links.links_of(current_staff(), ticket)]}


@blp.route("/<int:ticket_id>/links")
class Links(MethodView):
    """A ticket's related tickets."""

    @blp.response(200, LinkListSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, ticket_id: int):
        """List related tickets (those the caller may see)"""
        return _listed(ticket_or_404(ticket_id))

    @blp.arguments(NewLinkSchema)
    @blp.response(201, LinkListSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data: dict, ticket_id: int):
        """Link a related ticket; answers the ticket's links"""
        ticket = ticket_or_404(ticket_id)
        with service_errors():
            ticket_links.link(ticket, _other(data["ticket_id"]), current_staff())
        return _listed(ticket)


@blp.route("/<int:ticket_id>/links/<int:other_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND")
def unlink(ticket_id: int, other_id: int):
    """Unlink a related ticket"""
    ticket = ticket_or_404(ticket_id)
    other = ticket_or_404(other_id)
    with service_errors("path", rename={"ticket_id": "other_id"}):
        ticket_links.unlink(ticket, other, current_staff())


@blp.route("/<int:ticket_id>/split", methods=["POST"])
@blp.arguments(SplitSchema)
@blp.response(201, TicketSchema)
@blp.alt_response(404, response="NOT_FOUND")
def split(data: dict, ticket_id: int):
    """Split messages into a new ticket

    The chosen messages move to a new ticket of the same customer, group, channel and priority
    (open, unassigned); both tickets' timelines link to each other. Answers the new ticket.
    """
    ticket = ticket_or_404(ticket_id)
    with service_errors():
        return ticket_links.split(ticket, data["message_ids"], current_staff(), data.get("subject"))
