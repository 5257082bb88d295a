"""Schemas of the saved-view endpoints. Shapes only; services.saved_views checks the rest (known
filters, columns, who may share) and its errors come back as 422 naming the field (403 for sharing)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from helpdesk.api.schemas import ExpandedSchema, TicketSchema, body_id, page_cursor, page_limit
from helpdesk.models.tickets import PRIORITIES, STATUSES
from helpdesk.services.saved_views import COLUMNS, COUNT_CAP, NAME_MAX
from helpdesk.services.tickets import SORTS, TAG_MAX, VIEWS


class ViewFiltersSchema(Schema):
    """The filters of the ticket list (as `GET /api/v1/tickets` takes them); the ones left out match anything."""

    view = fields.String(load_default="open", validate=validate.OneOf(VIEWS),
                         metadata={"description": "The base list: `mine` (assigned to whoever opens the view), "
                                                  "`unassigned`, `open`, `pending`, `solved` or `all`."})
    statuses = fields.List(fields.String(validate=validate.OneOf(STATUSES)), validate=validate.Length(max=6))
    priorities = fields.List(fields.String(validate=validate.OneOf(list(PRIORITIES))), validate=validate.Length(max=4))
    group_id = body_id(allow_none=True)
    assignee_id = body_id(allow_none=True)
    unassigned = fields.Boolean()
    channel = fields.String(allow_none=True, validate=validate.Length(max=32))
    tag = fields.String(allow_none=True, validate=validate.Length(max=TAG_MAX))
    q = fields.String(allow_none=True, validate=validate.Length(max=200))


class ViewSchema(ExpandedSchema):
    """A saved view. `count` is how many tickets it holds for the caller (capped: past the cap it
    reads `cap + 1`); `position` is its place in the caller's own order, 0 first."""

    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(1, NAME_MAX))
    shared = fields.Boolean(load_default=False, metadata={
        "description": "Seen by every staff member (each sees their own groups' tickets in it); admins and "
                       "supervisors only."})
    filters = fields.Nested(ViewFiltersSchema, load_default=dict)
    sort = fields.String(load_default="updated", validate=validate.OneOf(list(SORTS)))
    columns = fields.List(fields.String(validate=validate.OneOf(COLUMNS)), validate=validate.Length(1, len(COLUMNS)),
                          metadata={"description": f"Columns of the list, of {list(COLUMNS)}; default all."})
    owner_id = fields.Integer(dump_only=True)
    editable = fields.Boolean(dump_only=True, metadata={"description": "Whether the caller may change or delete it."})
    count = fields.Integer(dump_only=True, metadata={"description": f"Tickets in it for the caller, up to {COUNT_CAP}; "
                                                                   f"{COUNT_CAP + 1} means more."})
    position = fields.Integer(dump_only=True)


class ViewChangesSchema(Schema):
    """What to change; `position` moves the view in the caller's own order (anyone who sees it)."""

    name = fields.String(validate=validate.Length(1, NAME_MAX))
    shared = fields.Boolean()
    filters = fields.Nested(ViewFiltersSchema)
    sort = fields.String(validate=validate.OneOf(list(SORTS)))
    columns = fields.List(fields.String(validate=validate.OneOf(COLUMNS)), validate=validate.Length(1, len(COLUMNS)))
    position = fields.Integer(strict=True, validate=validate.Range(0, 1000))


class ViewListSchema(Schema):
    """Every view the caller sees, in their order."""

    items = fields.List(fields.Nested(ViewSchema))


class ViewTicketsQuerySchema(Schema):
    """A page of a view's tickets."""

    cursor = page_cursor()
    limit = page_limit()


class ViewTicketPageSchema(Schema):
    """One page of a view's tickets, in the view's sort."""

    items = fields.List(fields.Nested(TicketSchema))
    next_cursor = fields.String(allow_none=True, metadata={"description": "Pass as `cursor`; null on the last page."})
