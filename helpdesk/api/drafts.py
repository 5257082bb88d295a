"""The composer's draft over the API: one per staff member and ticket, the same one the console
saves as the agent types (so an integration or another device sees and continues it)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from helpdesk.api.auth import ProtectedBlueprint, current_staff
from helpdesk.api.errors import service_errors
from helpdesk.api.schemas import Timestamp
from helpdesk.api.tickets import ticket_or_404
from helpdesk.services import drafts
from helpdesk.services.replies import BODY_MAX

blp = ProtectedBlueprint("api-drafts", __name__, url_prefix="/api/v1/tickets", description=(
    "The caller's unsent reply on a ticket, saved as they type and discarded when they send."))


class DraftSchema(Schema):
    """A draft: the text and whether it is an internal note."""

    body = fields.String(required=True, validate=validate.Length(max=BODY_MAX),
                         metadata={"description": "A blank body discards the draft."})
    internal = fields.Boolean(load_default=False)
    updated_at = Timestamp(dump_only=True)


@blp.route("/<int:ticket_id>/draft")
class DraftItem(MethodView):
    """The caller's draft on one ticket."""

    @blp.response(200, DraftSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, ticket_id: int):
        """Read my draft

        404 when there is none (or no such ticket).
        """
        draft = drafts.draft_of(ticket_or_404(ticket_id), current_staff())
        if draft is None:
            abort(404, message=f"no draft on ticket {ticket_id}")
        return draft

    @blp.arguments(DraftSchema)
    @blp.response(200, DraftSchema)
    @blp.alt_response(204, description="The body was blank: the draft was discarded.", success=True)
    @blp.alt_response(404, response="NOT_FOUND")
    def put(self, data: dict, ticket_id: int):
        """Save my draft

        Replaces the previous draft; a blank body discards it.
        """
        with service_errors():
            draft = drafts.save(ticket_or_404(ticket_id), current_staff(), body=data["body"], internal=data["internal"])
        return draft if draft is not None else ("", 204)

    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, ticket_id: int):
        """Discard my draft"""
        drafts.discard(ticket_or_404(ticket_id), current_staff())
