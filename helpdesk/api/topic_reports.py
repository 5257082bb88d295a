"""`GET /api/v1/reports/topics`: the Topics report (supervisors and admins; agents get 403), the
same numbers as the console's Topics view. Each item's `tickets_url` is the ticket list behind it."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from helpdesk.api.auth import ProtectedBlueprint, current_staff
from helpdesk.api.errors import fail
from helpdesk.api.reports import ReportQuerySchema
from helpdesk.models.base import utcnow
from helpdesk.services.reports import tables as reports
from helpdesk.services.reports import topics as topic_report
from helpdesk.services.reports.tables import ReportError

blp = ProtectedBlueprint("api-topic-reports", __name__, url_prefix="/api/v1/reports/topics", description=(
    "Topics report: tickets created in the range by topic, per day or week, by channel and group, growth "
    "against the range before it, and per topic first-response and resolution times (calendar seconds), "
    "reopen rate and CSAT of those tickets."))


class TopicQuerySchema(ReportQuerySchema):
    period = fields.String(load_default="day", validate=validate.OneOf(list(topic_report.PERIODS)))
    include_hidden = fields.Boolean(load_default=False)


class TopicRowSchema(Schema):
    key = fields.Integer(allow_none=True, metadata={"description": "topic id; null: tickets without a topic"})
    label = fields.String()
    pinned = fields.Boolean()
    hidden = fields.Boolean()
    tickets = fields.Integer()
    previous = fields.Integer(metadata={"description": "tickets in the range just before, as long"})
    growth_pct = fields.Float(allow_none=True)
    by_period = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "period start -> tickets"})
    by_channel = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_group = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "group id ('none') -> tickets"})
    first_response_avg = fields.Integer(allow_none=True)
    first_response_median = fields.Integer(allow_none=True)
    resolution_avg = fields.Integer(allow_none=True)
    resolution_median = fields.Integer(allow_none=True)
    solved = fields.Integer()
    reopened = fields.Integer()
    reopen_rate = fields.Float(allow_none=True)
    csat_answered = fields.Integer()
    csat_avg = fields.Float(allow_none=True)
    tickets_url = fields.String(metadata={"description": "the console's ticket list of these tickets"})


class TopicReportSchema(Schema):
    start = fields.Date()
    end = fields.Date()
    period = fields.String()
    periods = fields.List(fields.Date())
    items = fields.List(fields.Nested(TopicRowSchema))
    trending = fields.List(fields.Integer(), metadata={"description": "topic ids growing fastest, first first"})


@blp.route("")
class TopicReport(MethodView):
    @blp.arguments(TopicQuerySchema, location="query")
    @blp.response(200, TopicReportSchema)
    def get(self, args: dict):
        """Tickets per topic per day or week, by channel and group, trending topics and per-topic quality"""
        if not current_staff().sees_all_groups:
            abort(403, message="reports are for supervisors and admins")
        raw = {k: str(v) for k, v in args.items() if k in ("start", "end", "group_id", "channel", "priority")}
        try:
            f = reports.parse_filter(raw, utcnow().date())
        except ReportError as exc:
            fail(422, "query", exc.field, exc.message)
        result = topic_report.report(f, args["period"], args["include_hidden"])
        items = [row | {"by_group": {str(k) if k is not None else "none": v for k, v in row["by_group"].items()},
                        "tickets_url": url_for("tickets.list_tickets", **topic_report.ticket_query(row["key"], f),
                                               _external=True)}
                 for row in result.rows]
        return {"start": result.start, "end": result.end, "period": result.period, "periods": result.periods,
                "items": items, "trending": [row["key"] for row in result.trending]}
