"""Schemas of the SLA endpoints: calendars, policies, the preview and a ticket's clocks.

Shapes only; the rules (time zones, windows, goals, known groups and users) are checked by
services.sla.config, whose errors come back as 422 naming the field.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from helpdesk.api.schemas import Timestamp, query_id
from helpdesk.models.customers import TIERS
from helpdesk.models.tickets import PRIORITIES
from helpdesk.services.sla.config import DAYS, TARGET_KINDS

WINDOWS = fields.List(fields.String(validate=validate.Length(max=20)), validate=validate.Length(max=24))


class CalendarSchema(Schema):
    """A business calendar: weekly windows in a time zone, public and own holidays, half days."""

    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(1, 100))
    timezone = fields.String(required=True, validate=validate.Length(1, 64),
                             metadata={"description": "An IANA time zone, e.g. `Europe/Madrid`."})
    hours = fields.Dict(keys=fields.String(validate=validate.Length(max=16)), values=WINDOWS, load_default=dict,
                        metadata={"description": f"Day (`{DAYS[0]}`..`{DAYS[-1]}`, ranges like `mon-fri`, or "
                                                 "`daily`) to windows like `09:00-14:00`; `22:00-06:00` runs "
                                                 "overnight, `00:00-24:00` is the whole day. Days not named are closed."})
    country = fields.String(allow_none=True, validate=validate.Length(max=8),
                            metadata={"description": "ISO country code whose public holidays close the calendar."})
    subdivision = fields.String(allow_none=True, validate=validate.Length(max=16))
    holidays = fields.List(fields.String(validate=validate.Length(max=10)), load_default=list,
                           validate=validate.Length(max=1000), metadata={"description": "Own closed dates, YYYY-MM-DD."})
    half_days = fields.Dict(keys=fields.String(validate=validate.Length(max=10)), values=WINDOWS, load_default=dict,
                            metadata={"description": "Date to the windows it opens instead (even on a holiday)."})
    updated_at = Timestamp(dump_only=True)


class ConditionsSchema(Schema):
    """Which tickets a policy covers; each non-empty list must contain the ticket's value."""

    priorities = fields.List(fields.String(validate=validate.OneOf(list(PRIORITIES))), load_default=list)
    tiers = fields.List(fields.String(validate=validate.OneOf(TIERS)), load_default=list)
    channels = fields.List(fields.String(validate=validate.Length(1, 32)), load_default=list)
    groups = fields.List(fields.Integer(strict=True), load_default=list, metadata={"description": "Group ids."})
    organizations = fields.List(fields.Integer(strict=True), load_default=list,
                                metadata={"description": "Organization ids."})


class TargetSchema(Schema):
    """One goal: `kind` measured in business (calendar's) or calendar time, paused in some statuses."""

    kind = fields.String(required=True, validate=validate.OneOf(TARGET_KINDS))
    goal_seconds = fields.Integer(required=True, strict=True)
    business_time = fields.Boolean(load_default=True)
    pause_statuses = fields.List(fields.String(), load_default=list)
    warning_fraction = fields.Float(load_default=0.8, metadata={"description": "Share of the goal after which "
                                                                               "the clock warns, (0, 1]."})


class EscalationSchema(Schema):
    """What happens to a ticket at a crossing; null leaves that property alone."""

    priority = fields.String(allow_none=True, load_default=None, metadata={"description": "Raised to, never lowered."})
    group_id = fields.Integer(allow_none=True, load_default=None, strict=True)
    assignee_id = fields.Integer(allow_none=True, load_default=None, strict=True)


class PolicySchema(Schema):
    """An SLA policy; policies are tried by `position` and the first whose conditions hold applies."""

    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(1, 100))
    position = fields.Integer(load_default=1, strict=True)
    active = fields.Boolean(load_default=True)
    calendar_id = fields.Integer(allow_none=True, load_default=None, strict=True)
    conditions = fields.Nested(ConditionsSchema, load_default=dict)
    targets = fields.List(fields.Nested(TargetSchema), required=True)
    escalations = fields.Dict(keys=fields.String(validate=validate.OneOf(("warning", "breached"))),
                              values=fields.Nested(EscalationSchema), load_default=dict)
    email_supervisors = fields.Boolean(load_default=False)
    updated_at = Timestamp(dump_only=True)


class PreviewQuerySchema(Schema):
    """The facts of an imagined ticket created now."""

    priority = fields.String(validate=validate.OneOf(list(PRIORITIES)))
    tier = fields.String(validate=validate.OneOf(TIERS))
    channel = fields.String(validate=validate.Length(max=32))
    group_id = query_id()
    organization_id = query_id()


class PreviewSchema(Schema):
    """The policy such a ticket gets and when each of its targets falls due (null policy: no SLA)."""

    at = Timestamp()
    policy_id = fields.Function(lambda p: p.policy.id if p.policy else None)
    policy_name = fields.Function(lambda p: p.policy.name if p.policy else None)
    due = fields.Dict(keys=fields.String(), values=Timestamp())


class ClockSchema(Schema):
    """One target's clock on a ticket now; durations in seconds (business or calendar time, as counted)."""

    kind = fields.Function(lambda c: c.kind.value)
    state = fields.Function(lambda c: c.state.value)
    policy_id = fields.Function(lambda c: int(c.policy_id))
    started_at = fields.DateTime()
    stopped_at = fields.DateTime(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    warning_at = fields.DateTime(allow_none=True)
    goal_seconds = fields.Function(lambda c: int(c.goal.total_seconds()))
    used_seconds = fields.Function(lambda c: int(c.used.total_seconds()))
    left_seconds = fields.Function(lambda c: int(c.left.total_seconds()))
    paused = fields.Boolean()
    business_time = fields.Boolean()


class TicketSlaSchema(Schema):
    """A ticket's clocks now: one per target of the policy in force, and every next-response exchange."""

    now = fields.DateTime()
    policy_id = fields.Function(lambda s: int(s.policy_id) if s.policy_id is not None else None)
    clocks = fields.List(fields.Nested(ClockSchema))
    next_responses = fields.List(fields.Nested(ClockSchema))


class RecomputeSchema(Schema):
    """A background recomputation of the open tickets after a settings change."""

    id = fields.Integer()
    reason = fields.String()
    state = fields.String()
    total = fields.Integer()
    done = fields.Integer()
    percent = fields.Integer()
    created_at = Timestamp()
    finished_at = Timestamp(allow_none=True)
