"""GET /api/v1/reports/calls: call metrics per agent, group or hour of the day, with totals.
Supervisors and admins only (agents get 403); the same numbers as the console's Calls report."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from helpdesk.api.auth import ProtectedBlueprint, current_staff
from helpdesk.api.errors import fail
from helpdesk.models.base import utcnow
from helpdesk.services.calls import metrics
from helpdesk.services.reports import tables as reports
from helpdesk.services.reports.tables import ReportError

blp = ProtectedBlueprint("api-call-reports", __name__, url_prefix="/api/v1/reports/calls", description=(
    "Call metrics (supervisors and admins). offered: calls that rang in the range; answered, missed "
    "(ended or voicemail without an answer), abandoned (the caller hung up while waiting); "
    "abandoned_rate_pct of offered; asa_seconds: average speed of answer; aht_seconds: average talk "
    "time of answered calls. Days are UTC and inclusive; hours of the day are UTC."))


class CallReportQuerySchema(Schema):
    start = fields.String(metadata={"format": "date", "description": "first day, e.g. 2026-03-01"})
    end = fields.String(metadata={"format": "date", "description": "last day (inclusive)"})
    group_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    dimension = fields.String(load_default="agent", validate=validate.OneOf(list(metrics.DIMENSIONS)))


def _metric_fields() -> dict:
    return {m: (fields.Float if m.endswith("_pct") else fields.Integer)(allow_none=True) for m in metrics.METRICS}


CallRowSchema = Schema.from_dict({"key": fields.Integer(allow_none=True, metadata={
    "description": "user id, group id or hour (0-23); null: no agent / no group"}),
    "label": fields.String(), **_metric_fields()}, name="CallReportRow")
CallTotalsSchema = Schema.from_dict(_metric_fields(), name="CallReportTotals")


class CallReportSchema(Schema):
    start = fields.Date()
    end = fields.Date()
    dimension = fields.String()
    totals = fields.Nested(CallTotalsSchema)
    items = fields.List(fields.Nested(CallRowSchema))


@blp.route("")
class CallReport(MethodView):
    @blp.arguments(CallReportQuerySchema, location="query")
    @blp.response(200, CallReportSchema)
    def get(self, args: dict):
        """Call metrics per agent, group or hour of the day (`dimension`), and the totals"""
        if not current_staff().sees_all_groups:
            abort(403, message="reports are for supervisors and admins")
        try:
            f = reports.parse_filter({k: str(args[k]) for k in ("start", "end", "group_id") if k in args},
                                     utcnow().date())
        except ReportError as exc:
            fail(422, "query", exc.field, exc.message)
        return {"start": f.start, "end": f.end, "dimension": args["dimension"], "totals": metrics.totals(f),
                "items": metrics.table(args["dimension"], f)}
