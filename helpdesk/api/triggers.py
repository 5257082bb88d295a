"""Triggers over the API (admins): ordered actions on ticket events. The priority and routing
rules are triggers too (`origin: "rule"`), still edited at /admin/rules."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from helpdesk.api.auth import ProtectedBlueprint, current_staff
from helpdesk.api.errors import fail
from helpdesk.api.schemas import Timestamp
from helpdesk.extensions import db
from helpdesk.models import Trigger
from helpdesk.models.automation import EVENTS
from helpdesk.services.automation import triggers
from helpdesk.services.automation.conditions import ConditionError

blp = ProtectedBlueprint("api-triggers", __name__, url_prefix="/api/v1/triggers", description=(
    "Triggers (admins only): when an event happens to a ticket and the conditions hold, the actions run, "
    "in order; each trigger fires at most once per ticket and event, and its firing is in the ticket's "
    "timeline. Conditions: `{field, op, value}` (fields status, priority, group, assignee, channel, subject, "
    "text, tags, language, customer.tier, customer.organization, business_hours, custom.<key>, "
    "customer.custom.<key>, organization.custom.<key>; ops is, is_not, in, not_in, contains, not_contains, "
    "includes, excludes, gt, gte, lt, lte, present, absent, during, outside). Actions: set (status, priority, "
    "group_id), assign, add_tags, remove_tags, set_field, notify, reply, macro, webhook."))


class TriggerSchema(Schema):
    id = fields.Integer(dump_only=True)
    origin = fields.String(dump_only=True, metadata={"description": "rule: a former priority/routing rule."})
    name = fields.String(required=True, validate=validate.Length(1, 200))
    event = fields.String(required=True, validate=validate.OneOf(EVENTS))
    match_all = fields.List(fields.Dict(), load_default=list, metadata={"description": "Every one must hold."})
    match_any = fields.List(fields.Dict(), load_default=list, metadata={"description": "One must hold (if any)."})
    actions = fields.List(fields.Dict(), required=True, validate=validate.Length(1, 50))
    position = fields.Integer(load_default=0)
    active = fields.Boolean(load_default=True)
    stop = fields.Boolean(load_default=False, metadata={"description": "No later trigger runs for this event."})
    created_at = Timestamp(dump_only=True)
    updated_at = Timestamp(dump_only=True)


class TriggerChangesSchema(TriggerSchema):
    """The parts of a trigger to change; the ones left out stay as they are."""


class TriggerListSchema(Schema):
    items = fields.List(fields.Nested(TriggerSchema))
    next_cursor = fields.String(allow_none=True, metadata={"description": "Always null: every trigger is listed."})


class TriggerQuerySchema(Schema):
    event = fields.String(validate=validate.OneOf(EVENTS))


@blp.before_request
def _admins_only() -> None:
    if current_staff().role != "admin":
        abort(403, message="only admins manage triggers")


def _trigger(trigger_id: int) -> Trigger:
    row = db.session.get(Trigger, trigger_id) if 0 < trigger_id < 2**31 else None
    if row is None:
        abort(404, message=f"no trigger {trigger_id}")
    return row


def _save(row: Trigger | None, data: dict) -> Trigger:
    try:
        return triggers.save(row, data)
    except ConditionError as exc:
        fail(422, "json", exc.field, exc.message)


@blp.route("")
class TriggerList(MethodView):
    @blp.arguments(TriggerQuerySchema, location="query")
    @blp.response(200, TriggerListSchema)
    def get(self, args: dict):
        """List triggers, by event in the order they run"""
        return {"items": triggers.ordered(args.get("event")), "next_cursor": None}

    @blp.arguments(TriggerSchema)
    @blp.response(201, TriggerSchema)
    def post(self, data: dict):
        """Create a trigger"""
        return _save(None, data)


@blp.route("/<int:trigger_id>")
class TriggerItem(MethodView):
    @blp.response(200, TriggerSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, trigger_id: int):
        """Read a trigger"""
        return _trigger(trigger_id)

    @blp.arguments(TriggerChangesSchema(partial=True))
    @blp.response(200, TriggerSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, data: dict, trigger_id: int):
        """Change a trigger; the fields left out stay as they are"""
        return _save(_trigger(trigger_id), data)

    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, trigger_id: int):
        """Delete a trigger"""
        triggers.delete(_trigger(trigger_id))
