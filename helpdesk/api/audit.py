"""`GET /api/v1/audit`: the audit log for admins, filtered and paged newest first."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from helpdesk.api.auth import ProtectedBlueprint
from helpdesk.api.errors import fail
from helpdesk.api.schemas import page_cursor, query_id
from helpdesk.api.users import admins_only
from helpdesk.services import audit

blp = ProtectedBlueprint("api-audit", __name__, url_prefix="/api/v1/audit", description=(
    "The append-only audit log (admins): who changed what, when, from where, before and after."))


class AuditQuerySchema(Schema):
    action = fields.String(validate=validate.Length(max=64), metadata={
        "description": "An action (`user.update`) or a prefix ending in a dot (`user.`)."})
    actor_id = query_id()
    target_type = fields.String(validate=validate.Length(max=32))
    target_id = query_id()
    ip = fields.String(validate=validate.Length(max=45))
    since = fields.Date(metadata={"description": "First UTC day included."})
    until = fields.Date(metadata={"description": "Last UTC day included."})
    cursor = page_cursor()
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))


class AuditEntrySchema(Schema):
    id = fields.Integer()
    created_at = fields.String(metadata={"description": "UTC, ISO 8601."})
    actor_id = fields.Integer(allow_none=True)
    actor_email = fields.String(allow_none=True)
    via = fields.String(allow_none=True, metadata={"description": "web, api, cli or system."})
    ip = fields.String(allow_none=True)
    action = fields.String()
    target_type = fields.String()
    target_id = fields.Integer(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    data = fields.Dict()


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEntrySchema))
    next_cursor = fields.String(allow_none=True)


@blp.route("")
class AuditLog(MethodView):
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditPageSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    def get(self, args: dict):
        """Read the audit log (admins)

        Newest first; pass `next_cursor` back as `cursor` until it is null.
        """
        admins_only()
        day = lambda d: datetime(d.year, d.month, d.day) if d else None  # noqa: E731
        until = day(args.get("until"))
        filters = audit.Filters(action=args.get("action"), actor_id=args.get("actor_id"),
                                target_type=args.get("target_type"), target_id=args.get("target_id"), ip=args.get("ip"),
                                since=day(args.get("since")), until=until + timedelta(days=1) if until else None)
        cursor = args.get("cursor")
        before = int(cursor) if cursor and cursor.isdigit() and len(cursor) < 11 else None
        if cursor and before is None:
            fail(422, "query", "cursor", "is not a cursor this API gave")
        entries = audit.search(filters, before_id=before, limit=args["limit"])
        next_cursor = str(entries[-1].id) if len(entries) == args["limit"] else None
        return {"items": audit.as_rows(entries), "next_cursor": next_cursor}
