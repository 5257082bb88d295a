"""Report endpoints: the agent table and its breakdowns, the tickets behind a number, the series
over time. Supervisors and admins only (agents get 403); the same numbers as the console's pages."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from helpdesk.api.auth import ProtectedBlueprint, current_staff
from helpdesk.api.errors import fail
from helpdesk.models.base import utcnow
from helpdesk.models.tickets import PRIORITIES
from helpdesk.services.reports import details as report_details
from helpdesk.services.reports import tables as reports
from helpdesk.services.reports.tables import ReportError

blp = ProtectedBlueprint("api-reports", __name__, url_prefix="/api/v1/reports", description=(
    "Agent performance reports (supervisors and admins; agents get 403). Days are UTC and inclusive; "
    "times are seconds; medians and p90 are exact (nearest rank). Business time runs through the "
    "ticket's SLA calendar without pending, on-hold or solved time; without a calendar it is calendar time."))
PLURALS = {"agents": "agent", "groups": "group", "channels": "channel", "priorities": "priority"}
_RATES = ("replies_per_ticket", "csat_avg", "nps")


class ReportQuerySchema(Schema):
    """The range (default: the last 30 days) and optional filters."""

    start = fields.String(metadata={"format": "date", "description": "first day, e.g. 2026-03-01"})
    end = fields.String(metadata={"format": "date", "description": "last day (inclusive)"})
    group_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    channel = fields.String(validate=validate.Length(max=32))
    priority = fields.String(validate=validate.OneOf(list(PRIORITIES)))
    sort = fields.String(validate=validate.OneOf(["label", *reports.METRICS]), load_default="label")
    dir = fields.String(validate=validate.OneOf(["asc", "desc"]), load_default="asc")


class DrillQuerySchema(ReportQuerySchema):
    metric = fields.String(required=True, validate=validate.OneOf(list(reports.METRICS)))
    dimension = fields.String(load_default="agent", validate=validate.OneOf(list(reports.DIMENSIONS)))
    key = fields.String(metadata={"description": "the row's key; omit for the row without one (none)"})


ReportRowSchema = Schema.from_dict({
    "key": fields.Raw(allow_none=True, metadata={"description": "agent, group id; channel name; priority rank"}),
    "label": fields.String(),
    **{m: (fields.Float if m.endswith(("_pct", "_rate")) or m in _RATES else fields.Integer)(allow_none=True)
       for m in reports.METRICS},
}, name="ReportRow")


class ReportSchema(Schema):
    start = fields.Date()
    end = fields.Date()
    items = fields.List(fields.Nested(ReportRowSchema))


class DrillRowSchema(Schema):
    ticket_id = fields.Integer()
    subject = fields.String()
    agent_id = fields.Integer(allow_none=True)
    agent = fields.String()
    at = fields.DateTime()
    value = fields.Raw(allow_none=True, metadata={"description": "seconds, replies, met (bool) or score"})


class DrillSchema(Schema):
    items = fields.List(fields.Nested(DrillRowSchema))


class SeriesSchema(Schema):
    days = fields.List(fields.String())
    volume = fields.Dict(keys=fields.String(), values=fields.List(fields.Integer()))
    solved = fields.List(fields.Integer())
    first_response_avg = fields.List(fields.Integer(allow_none=True))
    resolution_avg = fields.List(fields.Integer(allow_none=True))
    sla_pct = fields.List(fields.Float(allow_none=True))
    csat_avg = fields.List(fields.Float(allow_none=True))


def _filter(args: dict) -> reports.ReportFilter:
    if not current_staff().sees_all_groups:
        abort(403, message="reports are for supervisors and admins")
    try:
        return reports.parse_filter({k: str(v) for k, v in args.items()}, utcnow().date())
    except ReportError as exc:
        fail(422, "query", exc.field, exc.message)


@blp.route("/<dimension>")
class Table(MethodView):
    @blp.arguments(ReportQuerySchema, location="query")
    @blp.response(200, ReportSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict, dimension: str):
        """Every metric per agent, group, channel or priority (`dimension`: agents, groups, channels, priorities)"""
        f = _filter(args)
        if dimension not in PLURALS:
            abort(404, message=f"no report {dimension}; one of {list(PLURALS)}")
        rows = reports.table(PLURALS[dimension], f, args["sort"], args["dir"] == "desc")
        return {"start": f.start, "end": f.end, "items": rows}


@blp.route("/tickets")
class Tickets(MethodView):
    @blp.arguments(DrillQuerySchema, location="query")
    @blp.response(200, DrillSchema)
    def get(self, args: dict):
        """The tickets behind one number (newest first, at most 1,000)"""
        f = _filter({k: v for k, v in args.items() if k not in ("metric", "dimension", "key")})
        try:
            key = reports.parse_key(args["dimension"], args.get("key"))
        except ReportError as exc:
            fail(422, "query", exc.field, exc.message)
        return {"items": report_details.tickets_behind(args["metric"], args["dimension"], key, f)}


@blp.route("/series")
class Series(MethodView):
    @blp.arguments(ReportQuerySchema, location="query")
    @blp.response(200, SeriesSchema)
    def get(self, args: dict):
        """Per day: tickets created by channel, solved, average times, SLA compliance, CSAT"""
        return report_details.series(_filter(args))
