"""Outbound webhooks and time-based automations over the API (admins only)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from helpdesk.api.auth import ProtectedBlueprint, current_staff
from helpdesk.api.errors import fail
from helpdesk.api.schemas import Timestamp
from helpdesk.extensions import db
from helpdesk.models import Automation, Webhook
from helpdesk.models.webhooks import WEBHOOK_EVENTS
from helpdesk.services.automation import timed, webhooks
from helpdesk.services.automation.conditions import ConditionError

blp = ProtectedBlueprint("api-webhooks", __name__, url_prefix="/api/v1/webhooks", description=(
    "Outbound webhooks (admins only): a signed JSON POST per subscribed event. Header "
    "`X-Helpdesk-Signature: t=<unix>,v1=<hex>`, hex = HMAC-SHA256(secret, `<t>.<body>`). Retried with back-off "
    "(30 s doubling, 6 attempts) on network errors, 5xx, 408 and 429; paused after 10 failed attempts in a row. "
    "Private and loopback addresses (and plain http) only for an endpoint with `allow_private`."))
automations_blp = ProtectedBlueprint("api-automations", __name__, url_prefix="/api/v1/automations", description=(
    "Time-based automations (admins only), evaluated every five minutes: conditions as triggers' plus "
    "hours_since_created / updated / pending / solved / last_customer_message; each acts once per crossing."))


class WebhookSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    url = fields.String(required=True, validate=validate.Length(1, 2000))
    events = fields.List(fields.String(validate=validate.OneOf(WEBHOOK_EVENTS)), required=True,
                         metadata={"description": "`trigger`: calls from trigger and automation actions."})
    active = fields.Boolean(load_default=True)
    allow_private = fields.Boolean(load_default=False, metadata={
        "description": "Let this endpoint reach a private or loopback address, and plain http."})
    failures = fields.Integer(dump_only=True, metadata={"description": "Failed attempts in a row."})
    paused_at = Timestamp(dump_only=True, allow_none=True)
    secret = fields.String(dump_only=True, metadata={"description": "Only in the answer that created (or rotated) it."})
    created_at = Timestamp(dump_only=True)


class WebhookChangesSchema(WebhookSchema):
    """The parts to change; `resume` restarts a paused endpoint, `rotate_secret` issues a new secret."""

    resume = fields.Boolean(load_only=True)
    rotate_secret = fields.Boolean(load_only=True)


class WebhookListSchema(Schema):
    items = fields.List(fields.Nested(WebhookSchema))
    next_cursor = fields.String(allow_none=True)


class DeliverySchema(Schema):
    id = fields.Integer()
    event = fields.String()
    state = fields.String(metadata={"description": "queued, retrying, delivered or failed"})
    attempts = fields.Integer()
    response_code = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    body = fields.String(metadata={"description": "The exact JSON body sent."})
    created_at = Timestamp()
    delivered_at = Timestamp(allow_none=True)
    next_attempt_at = Timestamp(allow_none=True)


class DeliveryPageSchema(Schema):
    items = fields.List(fields.Nested(DeliverySchema))
    next_cursor = fields.Integer(allow_none=True, metadata={"description": "Pass as `before` for older entries."})


class DeliveryQuerySchema(Schema):
    before = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class AutomationSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    match_all = fields.List(fields.Dict(), required=True)
    match_any = fields.List(fields.Dict(), load_default=list)
    actions = fields.List(fields.Dict(), required=True, validate=validate.Length(1, 50))
    position = fields.Integer(load_default=0)
    active = fields.Boolean(load_default=True)
    created_at = Timestamp(dump_only=True)


class AutomationChangesSchema(AutomationSchema):
    """The parts of an automation to change."""


class AutomationListSchema(Schema):
    items = fields.List(fields.Nested(AutomationSchema))
    next_cursor = fields.String(allow_none=True)


def _admins_only() -> None:
    if current_staff().role != "admin":
        abort(403, message="only admins manage webhooks and automations")


blp.before_request(_admins_only)
automations_blp.before_request(_admins_only)


def _get(model, object_id: int):
    row = db.session.get(model, object_id) if 0 < object_id < 2**31 else None
    if row is None:
        abort(404, message=f"no {model.__tablename__[:-1]} {object_id}")
    return row


def _dump(row: Webhook, secret: str | None) -> dict:
    shown = WebhookSchema().dump(row)
    return shown | ({"secret": secret} if secret else {})


def _save_webhook(row: Webhook | None, data: dict) -> dict:
    try:
        return _dump(*webhooks.save(row, data))
    except ConditionError as exc:
        fail(422, "json", exc.field, exc.message)


@blp.route("")
class WebhookList(MethodView):
    @blp.response(200, WebhookListSchema)
    def get(self):
        """List webhook endpoints"""
        return {"items": list(db.session.scalars(db.select(Webhook).order_by(Webhook.id))), "next_cursor": None}

    @blp.arguments(WebhookSchema)
    @blp.response(201)
    def post(self, data: dict):
        """Create a webhook endpoint; the answer carries its secret, once"""
        return _save_webhook(None, data)


@blp.route("/<int:webhook_id>")
class WebhookItem(MethodView):
    @blp.response(200, WebhookSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, webhook_id: int):
        """Read a webhook endpoint"""
        return _get(Webhook, webhook_id)

    @blp.arguments(WebhookChangesSchema(partial=True))
    @blp.response(200)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, data: dict, webhook_id: int):
        """Change, resume or rotate the secret of a webhook endpoint"""
        return _save_webhook(_get(Webhook, webhook_id), data)

    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, webhook_id: int):
        """Delete a webhook endpoint and its delivery log"""
        webhooks.delete(_get(Webhook, webhook_id))


@blp.route("/<int:webhook_id>/deliveries")
class DeliveryLog(MethodView):
    @blp.arguments(DeliveryQuerySchema, location="query")
    @blp.response(200, DeliveryPageSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict, webhook_id: int):
        """The delivery log, newest first"""
        rows = webhooks.deliveries(_get(Webhook, webhook_id), before=args.get("before"), limit=args["limit"])
        return {"items": rows, "next_cursor": rows[-1].id if len(rows) == args["limit"] else None}


def _save_automation(row: Automation | None, data: dict) -> Automation:
    try:
        return timed.save(row, data)
    except ConditionError as exc:
        fail(422, "json", exc.field, exc.message)


@automations_blp.route("")
class AutomationList(MethodView):
    @automations_blp.response(200, AutomationListSchema)
    def get(self):
        """List automations in the order they run"""
        return {"items": timed.ordered(), "next_cursor": None}

    @automations_blp.arguments(AutomationSchema)
    @automations_blp.response(201, AutomationSchema)
    def post(self, data: dict):
        """Create an automation"""
        return _save_automation(None, data)


@automations_blp.route("/<int:automation_id>")
class AutomationItem(MethodView):
    @automations_blp.response(200, AutomationSchema)
    @automations_blp.alt_response(404, response="NOT_FOUND")
    def get(self, automation_id: int):
        """Read an automation"""
        return _get(Automation, automation_id)

    @automations_blp.arguments(AutomationChangesSchema(partial=True))
    @automations_blp.response(200, AutomationSchema)
    @automations_blp.alt_response(404, response="NOT_FOUND")
    def patch(self, data: dict, automation_id: int):
        """Change an automation"""
        return _save_automation(_get(Automation, automation_id), data)

    @automations_blp.response(204)
    @automations_blp.alt_response(404, response="NOT_FOUND")
    def delete(self, automation_id: int):
        """Delete an automation"""
        timed.delete(_get(Automation, automation_id))
