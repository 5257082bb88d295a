"""Macros over the API: the caller's visible macros (list, create, read, change, delete) and
applying one to a ticket, with `?preview=1` to see what it would do first."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from helpdesk.api.auth import ProtectedBlueprint, current_staff
from helpdesk.api.errors import service_errors
from helpdesk.api.schemas import Timestamp, body_id
from helpdesk.api.tickets import ticket_or_404
from helpdesk.models import Macro
from helpdesk.models.macros import SCOPES
from helpdesk.models.tickets import PRIORITIES, STATUSES
from helpdesk.services.macros import apply, library
from helpdesk.services.macros.library import NAME_MAX, MacroNotFound
from helpdesk.services.replies import BODY_MAX
from helpdesk.services.tickets import TAG_MAX

blp = ProtectedBlueprint("api-macros", __name__, url_prefix="/api/v1/macros", description=(
    "Canned replies with actions. Personal macros are their owner's; group macros are seen by the "
    "group's members; shared ones by everyone. Admins and supervisors manage group and shared macros."))
apply_blp = ProtectedBlueprint("api-ticket-macros", __name__, url_prefix="/api/v1/tickets",
                               description="Applying a macro to a ticket.")

TAGS = fields.List(fields.String(validate=validate.Length(1, TAG_MAX)), validate=validate.Length(max=50))


class MacroActionsSchema(Schema):
    """What a macro changes; every action is optional."""

    status = fields.String(validate=validate.OneOf(STATUSES))
    priority = fields.String(validate=validate.OneOf(list(PRIORITIES)))
    group_id = body_id()
    assignee_id = body_id(allow_none=True, metadata={"description": "null unassigns."})
    assign_to_me = fields.Boolean(metadata={"description": "Assign to whoever applies the macro."})
    add_tags = TAGS
    remove_tags = TAGS
    note = fields.String(validate=validate.Length(max=BODY_MAX), metadata={
        "description": "An internal note added to the ticket; placeholders are filled as in `body`."})


class MacroSchema(Schema):
    """A macro. `body` and `translations` may hold the placeholders {{customer.name}},
    {{customer.first_name}}, {{ticket.number}}, {{ticket.subject}}, {{agent.name}},
    {{agent.first_name}}; the translation in the customer's language is used when there is one."""

    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(1, NAME_MAX))
    body = fields.String(load_default="", validate=validate.Length(max=BODY_MAX))
    translations = fields.Dict(keys=fields.String(validate=validate.Length(2, 16)),
                               values=fields.String(validate=validate.Length(max=BODY_MAX)), load_default=dict,
                               metadata={"description": 'Reply texts by language code: {"es": "Hola ..."}'})
    actions = fields.Nested(MacroActionsSchema, load_default=dict)
    scope = fields.String(load_default="personal", validate=validate.OneOf(SCOPES))
    group_id = body_id(allow_none=True, metadata={"description": "The group of a `group` macro."})
    owner_id = fields.Integer(dump_only=True, allow_none=True)
    usage_count = fields.Integer(dump_only=True)
    created_at = Timestamp(dump_only=True)
    updated_at = Timestamp(dump_only=True)


class MacroChangesSchema(MacroSchema):
    """The fields of a macro to change; the ones left out stay as they are."""


class MacroListSchema(Schema):
    items = fields.List(fields.Nested(MacroSchema))
    next_cursor = fields.String(allow_none=True, metadata={"description": "Always null: every macro is listed."})


class MacroQuerySchema(Schema):
    q = fields.String(validate=validate.Length(max=100), metadata={"description": "Part of the name."})


class MacroResultSchema(Schema):
    """What the macro does (preview) or did to the ticket."""

    macro_id = fields.Integer()
    ticket_id = fields.Integer()
    applied = fields.Boolean(metadata={"description": "false for a preview."})
    reply = fields.String(allow_none=True, metadata={"description": "The reply, filled for this ticket."})
    changes = fields.Dict(metadata={"description": "{field: [old, new]} of the properties it changes."})
    note = fields.String(allow_none=True)
    reply_message_id = fields.Integer(allow_none=True)
    note_message_id = fields.Integer(allow_none=True)


class ApplyQuerySchema(Schema):
    preview = fields.Boolean(load_default=False, metadata={"description": "1: answer what it would do, change nothing."})


class ApplyBodySchema(Schema):
    reply_to = fields.String(load_default="send", validate=validate.OneOf(apply.REPLY_MODES), metadata={
        "description": "`send` the reply to the customer, or put it in my `draft` to review and send myself."})


def _macro(macro_id: int) -> Macro:
    try:
        return library.get_for(current_staff(), macro_id)
    except MacroNotFound:
        abort(404, message=f"no macro {macro_id}")


@blp.route("")
class MacroList(MethodView):
    @blp.arguments(MacroQuerySchema, location="query")
    @blp.response(200, MacroListSchema)
    def get(self, args: dict):
        """List the macros I may apply

        The most used first.
        """
        return {"items": library.search(current_staff(), args.get("q", ""), limit=1000), "next_cursor": None}

    @blp.arguments(MacroSchema)
    @blp.response(201, MacroSchema)
    def post(self, data: dict):
        """Create a macro"""
        with service_errors():
            return library.save(current_staff(), data)


@blp.route("/<int:macro_id>")
class MacroItem(MethodView):
    @blp.response(200, MacroSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, macro_id: int):
        """Read a macro"""
        return _macro(macro_id)

    @blp.arguments(MacroChangesSchema(partial=True))
    @blp.response(200, MacroSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, data: dict, macro_id: int):
        """Change a macro

        The fields left out stay as they are. 422 naming `scope` for a group or shared macro when I am neither admin nor supervisor.
        """
        macro = _macro(macro_id)
        with service_errors():
            return library.save(current_staff(), data, macro)

    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, macro_id: int):
        """Delete a macro"""
        macro = _macro(macro_id)
        with service_errors():
            library.delete(current_staff(), macro)


@apply_blp.route("/<int:ticket_id>/macros/<int:macro_id>", methods=["POST"])
@apply_blp.arguments(ApplyQuerySchema, location="query")
@apply_blp.arguments(ApplyBodySchema, location="json", required=False)
@apply_blp.response(200, MacroResultSchema)
@apply_blp.alt_response(404, response="NOT_FOUND")
def apply_macro(query: dict, body: dict, ticket_id: int, macro_id: int):
    """Apply a macro to a ticket

    Changes the properties, adds the internal note and sends the reply (or, with
    `{"reply_to": "draft"}`, puts it in my draft), as if I had done each by hand; counts one use.
    With `?preview=1` it answers the same result with `applied: false` and changes nothing.
    """
    ticket = ticket_or_404(ticket_id)
    macro = _macro(macro_id)
    if query["preview"]:
        return apply.preview(ticket, macro, current_staff())
    with service_errors():
        return apply.apply(ticket, macro, current_staff(), reply_to=body.get("reply_to", "send"))
