"""Custom fields over the API: definitions (admins change them, every staff member reads them),
values on customers and organizations, and the ticket breakdown by a dropdown field. Ticket values
are read and changed with the ticket itself (`custom_fields` on GET/PATCH /api/v1/tickets/<id>)."""

from __future__ import annotations

from datetime import timedelta

from flask.views import MethodView
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from helpdesk.api.auth import ProtectedBlueprint, current_staff
from helpdesk.api.errors import fail
from helpdesk.api.schemas import Timestamp
from helpdesk.extensions import db
from helpdesk.models import CustomField, Organization
from helpdesk.models.base import utcnow
from helpdesk.models.fields import ENTITIES, KINDS
from helpdesk.services import customer_access
from helpdesk.services.customers import CustomerNotFound
from helpdesk.services.fields import breakdown, definitions, values
from helpdesk.services.fields.definitions import FieldError

blp = ProtectedBlueprint("api-fields", __name__, url_prefix="/api/v1/fields", description=(
    "Custom fields of tickets, customers and organizations: text, number, date, dropdown, checkbox. "
    "Every staff member reads them; admins create, change and delete them."))


class FieldSchema(Schema):
    """A custom field definition. `entity`, `key` and `kind` are fixed once created."""

    id = fields.Integer(dump_only=True)
    entity = fields.String(required=True, validate=validate.OneOf(ENTITIES))
    key = fields.String(required=True, validate=validate.Length(1, 64), metadata={
        "description": "How filters (`cf.<key>=`), triggers (`custom.<key>`) and reports name it."})
    label = fields.String(required=True, validate=validate.Length(1, 200))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    options = fields.List(fields.String(validate=validate.Length(1, 100)), load_default=list,
                          metadata={"description": "The choices of a dropdown."})
    required_to_solve = fields.Boolean(load_default=False, metadata={
        "description": "Tickets only: a ticket cannot be solved or closed while it is empty."})
    position = fields.Integer(load_default=0)
    active = fields.Boolean(load_default=True)
    created_at = Timestamp(dump_only=True)


class FieldChangesSchema(FieldSchema):
    """The parts of a field definition to change; the ones left out stay as they are."""


class FieldListSchema(Schema):
    items = fields.List(fields.Nested(FieldSchema))
    next_cursor = fields.String(allow_none=True, metadata={"description": "Always null: every field is listed."})


class FieldQuerySchema(Schema):
    entity = fields.String(validate=validate.OneOf(ENTITIES))


class ValuesSchema(Schema):
    """{key: value}; null clears a value."""

    values = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), required=True)


class BreakdownQuerySchema(Schema):
    since = fields.DateTime(metadata={"description": "Tickets created from (default: 30 days ago)."})
    until = fields.DateTime(metadata={"description": "Tickets created before (default: now)."})


class BreakdownSchema(Schema):
    field = fields.String()
    rows = fields.List(fields.Dict(), metadata={"description": '[{"value": "Refund", "tickets": 12}, ...]'})


def _admin() -> None:
    if current_staff().role != "admin":
        abort(403, message="only admins manage custom fields")


def _field(field_id: int) -> CustomField:
    row = db.session.get(CustomField, field_id) if 0 < field_id < 2**31 else None
    if row is None:
        abort(404, message=f"no custom field {field_id}")
    return row


def _save(row: CustomField | None, data: dict) -> CustomField:
    try:
        return definitions.save(row, data)
    except FieldError as exc:
        fail(422, "json", exc.field, exc.message)


@blp.route("")
class FieldList(MethodView):
    @blp.arguments(FieldQuerySchema, location="query")
    @blp.response(200, FieldListSchema)
    def get(self, args: dict):
        """List custom fields

        Every definition, active or not, by entity then in order; `?entity=ticket` for one entity.
        """
        rows = definitions.every_field()
        return {"items": [r for r in rows if r.entity == args.get("entity", r.entity)], "next_cursor": None}

    @blp.arguments(FieldSchema)
    @blp.response(201, FieldSchema)
    def post(self, data: dict):
        """Create a custom field (admins)"""
        _admin()
        return _save(None, data)


@blp.route("/<int:field_id>")
class FieldItem(MethodView):
    @blp.response(200, FieldSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, field_id: int):
        """Read a custom field"""
        return _field(field_id)

    @blp.arguments(FieldChangesSchema(partial=True))
    @blp.response(200, FieldSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, data: dict, field_id: int):
        """Change a custom field (admins)

        Label, options, required_to_solve, position, active; 422 naming `entity`, `key` or `kind`
        for an attempt to change those.
        """
        _admin()
        return _save(_field(field_id), data)

    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, field_id: int):
        """Delete a custom field and every value of it (admins)"""
        _admin()
        definitions.delete(_field(field_id))


def _owner(entity: str, object_id: int) -> None:
    """404 unless the caller may change that customer or organization."""
    if entity == "customer":
        try:
            customer_access.get_for(current_staff(), object_id)
        except CustomerNotFound:
            abort(404, message=f"no customer {object_id}")
    elif entity == "organization":
        if not current_staff().sees_all_groups:
            abort(403, message="only supervisors and admins change organizations")
        if not 0 < object_id < 2**31 or db.session.get(Organization, object_id) is None:
            abort(404, message=f"no organization {object_id}")
    else:
        abort(404, message="ticket values are changed with PATCH /api/v1/tickets/<id> (custom_fields)")


@blp.route("/values/<string:entity>/<int:object_id>")
class ValueItem(MethodView):
    @blp.response(200, ValuesSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, entity: str, object_id: int):
        """Read a customer's or organization's custom values"""
        _owner(entity, object_id)
        return {"values": values.values_for(entity, object_id)}

    @blp.arguments(ValuesSchema)
    @blp.response(200, ValuesSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, data: dict, entity: str, object_id: int):
        """Change a customer's or organization's custom values

        Only the keys given change; null clears one. 422 naming `custom_fields.<key>` for an
        unknown key or a value of the wrong kind.
        """
        _owner(entity, object_id)
        try:
            values.stage(entity, object_id, data["values"])
        except FieldError as exc:
            fail(422, "json", exc.field, exc.message)
        db.session.commit()
        return {"values": values.values_for(entity, object_id)}


@blp.route("/<int:field_id>/breakdown")
class Breakdown(MethodView):
    @blp.arguments(BreakdownQuerySchema, location="query")
    @blp.response(200, BreakdownSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict, field_id: int):
        """Tickets by the values of a dropdown or checkbox field

        Tickets created in [since, until) that I may see, counted per option (zero included),
        then `(none)` for tickets without a value.
        """
        row = _field(field_id)
        until = (args.get("until") or utcnow()).replace(tzinfo=None)
        since = (args.get("since") or until - timedelta(days=30)).replace(tzinfo=None)
        try:
            rows = breakdown.tickets_by_field(row.key, since, until, current_staff())
        except FieldError as exc:
            fail(422, "path", "field_id", exc.message)
        return {"field": row.key, "rows": [{"value": v, "tickets": n} for v, n in rows]}


