"""Bulk changes over the API: one change, one macro or one merge for many tickets at once."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from helpdesk.api.auth import ProtectedBlueprint, current_staff
from helpdesk.api.errors import fail, service_errors
from helpdesk.api.macros import TAGS
from helpdesk.api.schemas import body_id
from helpdesk.models.tickets import PRIORITIES, STATUSES
from helpdesk.services import bulk
from helpdesk.services.macros import library
from helpdesk.services.macros.library import MacroNotFound

blp = ProtectedBlueprint("api-bulk", __name__, url_prefix="/api/v1/tickets", description="Bulk changes.")


class BulkChangesSchema(Schema):
    """The change made to every ticket; the properties left out stay as they are."""

    status = fields.String(validate=validate.OneOf(STATUSES))
    priority = fields.String(validate=validate.OneOf(list(PRIORITIES)))
    group_id = body_id()
    assignee_id = body_id(allow_none=True, metadata={"description": "null unassigns."})
    add_tags = TAGS
    remove_tags = TAGS


class BulkSchema(Schema):
    """The tickets, and exactly one of `changes`, `macro_id` or `merge_into`."""

    ids = fields.List(body_id(), required=True, validate=validate.Length(1, bulk.MAX_TICKETS))
    changes = fields.Nested(BulkChangesSchema)
    macro_id = body_id(metadata={"description": "Apply this macro to each ticket (its reply is sent)."})
    merge_into = body_id(metadata={"description": "Merge each ticket into this one."})

    @validates_schema
    def _one_action(self, data: dict, **kwargs) -> None:
        given = [k for k in ("changes", "macro_id", "merge_into") if k in data]
        if len(given) != 1:
            raise ValidationError("give exactly one of changes, macro_id or merge_into", "_schema")


class OutcomeErrorSchema(Schema):
    code = fields.Integer(metadata={"description": "404: not a ticket the caller may see; 422: the change does not fit it."})
    field = fields.String()
    message = fields.String()


class OutcomeSchema(Schema):
    id = fields.Integer()
    ok = fields.Boolean()
    changes = fields.Dict(metadata={"description": "{field: [old, new]} of what changed."})
    error = fields.Nested(OutcomeErrorSchema, allow_none=True)


class BulkResultSchema(Schema):
    results = fields.List(fields.Nested(OutcomeSchema), metadata={"description": "One per ticket, in the order given."})
    done = fields.Integer()
    failed = fields.Integer()


@blp.route("/bulk", methods=["POST"])
@blp.arguments(BulkSchema)
@blp.response(200, BulkResultSchema)
def bulk_change(data: dict):
    """Change many tickets

    `{"ids": [...], "changes": {...}}`, `{"ids": [...], "macro_id": N}` or `{"ids": [...],
    "merge_into": N}`. Each ticket changes in its own transaction and publishes its own events, as
    a single change would; the answer gives each ticket's outcome. A ticket the caller may not see
    is refused (404 in its outcome) and the others are done, so the call itself answers 200.
    """
    actor = current_staff()
    with service_errors():
        if "changes" in data:
            outcomes = bulk.change_many(actor, data["ids"], data["changes"])
        elif "macro_id" in data:
            try:
                macro = library.get_for(actor, data["macro_id"])
            except MacroNotFound:
                fail(422, "json", "macro_id", f"no macro {data['macro_id']}")
            outcomes = bulk.apply_macro_many(actor, data["ids"], macro)
        else:
            outcomes = bulk.merge_many(actor, data["ids"], data["merge_into"])
    return {"results": outcomes, **bulk.summary(outcomes)}
