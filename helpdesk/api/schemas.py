"""Marshmallow schemas shared by the API resources: fields, people, pages, the error body.

Timestamps are ISO 8601 in UTC with an explicit offset. Text a customer or agent wrote is returned
as data (`body_text`, `subject`); only `body_html` is HTML, and it was sanitised before it was stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC

from marshmallow import Schema, fields, validate

from channels.base import IDENTITY_KINDS
from helpdesk.models.customers import TIERS
from helpdesk.models.messages import DELIVERY_STATES, KINDS
from helpdesk.models.tickets import PRIORITIES, STATUSES
from helpdesk.services.fields import values as field_values
from helpdesk.services.submissions import CHANNELS as SUBMISSION_CHANNELS
from helpdesk.services.tickets import SORTS, TAG_MAX, VIEWS

MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL

NOT_BLANK = validate.Regexp(r"(?s)\s*\S", error="must not be blank")


class Timestamp(fields.DateTime):
    """A stored naive-UTC timestamp, written with its UTC offset."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


def body_id(**kwargs) -> fields.Integer:
    """An id in a JSON body: a real integer (not a numeric string) within the id range."""
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


def query_id(**kwargs) -> fields.Integer:
    """An id in the query string, within the id range."""
    return fields.Integer(validate=validate.Range(1, MAX_ID), **kwargs)


def page_limit() -> fields.Integer:
    """How many items one page may hold."""
    return fields.Integer(load_default=25, validate=validate.Range(1, 100),
                          metadata={"description": "Items per page, 1 to 100."})


def page_cursor() -> fields.String:
    """The opaque cursor a previous page returned."""
    return fields.String(validate=validate.Length(max=200),
                         metadata={"description": "`next_cursor` of the previous page; omit for the first page."})


@dataclass(frozen=True)
class Expanded:
    """A record dumped together with values computed for this request (a ticket's messages, the
    ticket ids of a customer that this user may see), which appear beside the record's attributes."""

    record: object
    extra: dict = field(default_factory=dict)


class ExpandedSchema(Schema):
    """Dumps `Expanded` objects (and plain records) field by field."""

    def get_attribute(self, obj, attr, default):
        """Take `attr` from the computed values first, then from the record."""
        if isinstance(obj, Expanded):
            if attr in obj.extra:
                return obj.extra[attr]
            obj = obj.record
        return super().get_attribute(obj, attr, default)


class PersonSchema(Schema):
    """A staff member or a customer, by id and name."""

    id = fields.Integer()
    name = fields.String()


class IdentitySchema(Schema):
    """One way to reach a customer."""

    kind = fields.String(required=True, validate=validate.OneOf(IDENTITY_KINDS))
    address = fields.String(required=True, validate=validate.Length(1, 320))


class MergeSchema(Schema):
    """What to merge into."""

    target_id = body_id(required=True, metadata={"description": "The record that survives the merge."})


# --- tickets ----------------------------------------------------------------------------------


class TicketQuerySchema(Schema):
    """Filters, order and page of a ticket list; repeat `status` or `priority` to allow several."""

    view = fields.String(load_default="all", validate=validate.OneOf(VIEWS),
                         metadata={"description": "A console view; `mine` and `unassigned` list open tickets."})
    statuses = fields.List(fields.String(validate=validate.OneOf(STATUSES)), data_key="status", load_default=list)
    priorities = fields.List(fields.String(validate=validate.OneOf(list(PRIORITIES))), data_key="priority",
                             load_default=list)
    group_id = query_id()
    assignee_id = query_id()
    unassigned = fields.Boolean(load_default=False)
    channel = fields.String(validate=validate.Length(max=32))
    tag = fields.String(validate=validate.Length(max=TAG_MAX))
    customer_id = query_id()
    q = fields.String(validate=validate.Length(max=200),
                      metadata={"description": "A ticket number, or text in the subject, messages or customer."})
    custom = fields.List(fields.String(validate=[validate.Length(3, 1100), validate.Regexp(r"^[a-z][a-z0-9_]*:.+$")]),
                         data_key="field", load_default=list, metadata={
                             "description": "`<custom field key>:<value>`, repeatable: tickets whose field has that "
                                            "value (checkboxes true / false)."})
    sort = fields.String(load_default="updated", validate=validate.OneOf(list(SORTS)))
    cursor = page_cursor()
    limit = page_limit()


class AttachmentSchema(Schema):
    """A file on a message; `url` downloads it with the same bearer token."""

    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    url = fields.Function(lambda attachment: f"/attachments/{attachment.id}")


class SenderSchema(IdentitySchema):
    """The customer identity an inbound message came from."""

    customer_id = fields.Integer()


class AddressSchema(Schema):
    """One person a message was addressed to or copied."""

    name = fields.String(allow_none=True)
    address = fields.String()


class MessageSchema(Schema):
    """A message on a ticket: `inbound` from the customer, `outbound` reply, or internal `note`."""

    id = fields.Integer()
    ticket_id = fields.Integer()
    kind = fields.String(validate=validate.OneOf(KINDS))
    direction = fields.Method("_direction", metadata={"description": "`in` (customer), `out` (reply) or `internal`."})
    channel = fields.String()
    source = fields.String(allow_none=True, metadata={"description": "The channel account, e.g. `mailbox:3`."})
    external_id = fields.String(allow_none=True, metadata={
        "description": "The provider's id of an inbound message (the Message-ID for e-mail)."})
    provider_id = fields.String(allow_none=True, metadata={
        "description": "The provider's id of a sent reply (our Message-ID for e-mail)."})
    sender = fields.String(allow_none=True, metadata={"description": "The sender as the channel showed it."})
    author = fields.Nested(PersonSchema, allow_none=True, metadata={"description": "The staff author, if any."})
    identity = fields.Nested(SenderSchema, allow_none=True, metadata={"description": "The customer sender, if any."})
    to = fields.List(fields.Nested(AddressSchema), metadata={
        "description": "An inbound mail's To as its headers listed it (the helpdesk included); a reply's recipient "
                       "once delivered."})
    cc = fields.List(fields.Nested(AddressSchema), metadata={
        "description": "An inbound mail's Cc; whom a reply to all copied (never the helpdesk's own addresses)."})
    body_text = fields.String()
    body_html = fields.String(allow_none=True, metadata={"description": "Sanitised HTML, when the message had any."})
    is_automated = fields.Boolean()
    created_at = Timestamp()
    delivery_state = fields.String(allow_none=True, validate=validate.OneOf(DELIVERY_STATES))
    delivery_error = fields.String(allow_none=True)
    delivery_attempts = fields.Integer()
    attachments = fields.List(fields.Nested(AttachmentSchema))

    def _direction(self, message) -> str:
        return {"inbound": "in", "outbound": "out"}.get(message.kind, "internal")


class EventSchema(Schema):
    """One timeline entry: who changed what, when."""

    id = fields.Integer()
    kind = fields.String()
    actor = fields.Nested(PersonSchema, allow_none=True)
    data = fields.Dict()
    created_at = Timestamp()


def _custom(entity: str, obj) -> dict:
    return field_values.values_for(entity, getattr(obj, "record", obj).id)


CUSTOM_VALUES = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), metadata={
    "description": "{key: value} of custom fields to change; only the keys given change, null clears one."})


class TicketSchema(Schema):
    """A ticket's properties."""

    id = fields.Integer()
    number = fields.Integer()
    subject = fields.String()
    status = fields.String(validate=validate.OneOf(STATUSES))
    priority = fields.String(attribute="priority_name", validate=validate.OneOf(list(PRIORITIES)))
    channel = fields.String()
    source = fields.String()
    customer_id = fields.Integer()
    group_id = fields.Integer(allow_none=True)
    assignee_id = fields.Integer(allow_none=True)
    merged_into_id = fields.Integer(allow_none=True)
    tags = fields.List(fields.String())
    custom_fields = fields.Function(lambda ticket: _custom("ticket", ticket), metadata={
        "description": "{key: value} of the ticket's custom fields (see /api/v1/fields)."})
    created_at = Timestamp()
    updated_at = Timestamp()
    first_response_at = Timestamp(allow_none=True)
    solved_at = Timestamp(allow_none=True)
    closed_at = Timestamp(allow_none=True)
    first_response_due_at = Timestamp(allow_none=True)
    resolution_due_at = Timestamp(allow_none=True)
    next_response_due_at = Timestamp(allow_none=True)
    sla_policy_id = fields.Integer(allow_none=True)
    sla_state = fields.String(allow_none=True, metadata={"description": "ok, warning, breached or paused; null: "
                                                                        "no running SLA clock."})


class TicketDetailSchema(ExpandedSchema, TicketSchema):
    """A ticket with its customer, every message (oldest first) and its timeline."""

    customer = fields.Nested(PersonSchema)
    messages = fields.List(fields.Nested(MessageSchema))
    events = fields.List(fields.Nested(EventSchema))


class TicketPageSchema(Schema):
    """One page of tickets."""

    items = fields.List(fields.Nested(TicketSchema))
    next_cursor = fields.String(allow_none=True, metadata={"description": "Pass as `cursor`; null on the last page."})


class NewTicketCustomerSchema(Schema):
    """Who the ticket is from: found by e-mail address, created when new."""

    email = fields.Email(required=True, validate=validate.Length(max=320))
    name = fields.String(validate=validate.Length(max=200))


class NewTicketSchema(Schema):
    """A ticket opened on a customer's behalf; replies reach the customer by e-mail."""

    customer = fields.Nested(NewTicketCustomerSchema, required=True)
    subject = fields.String(validate=validate.Length(max=255))
    body = fields.String(required=True, validate=[validate.Length(max=100_000), NOT_BLANK])
    group = fields.String(validate=validate.Length(max=100), metadata={
        "description": "A group name; an agent may pick only their own groups. The ticket stays there even when a "
                       "routing rule would move it."})
    channel = fields.String(load_default="web", validate=validate.OneOf(SUBMISSION_CHANNELS), metadata={
        "description": "Where the customer reached you. Replies go to the customer's e-mail address."})
    priority = fields.String(validate=validate.OneOf(list(PRIORITIES)), metadata={
        "description": "Set as an agent would; without it the priority rules decide."})
    status = fields.String(validate=validate.OneOf(STATUSES))
    tags = fields.List(fields.String(validate=validate.Length(1, TAG_MAX)), validate=validate.Length(max=50))
    assignee_id = body_id(metadata={
        "description": "A member of the ticket's group (the one named, else the default group)."})
    external_id = fields.String(validate=validate.Length(1, 200), metadata={
        "description": "Idempotency key: sending it again (same token user) returns the first ticket with 200."})


class TicketChangesSchema(Schema):
    """Properties to change; the ones left out stay as they are."""

    status = fields.String(validate=validate.OneOf(STATUSES))
    priority = fields.String(validate=validate.OneOf(list(PRIORITIES)))
    group_id = body_id(allow_none=True)
    assignee_id = body_id(allow_none=True)
    tags = fields.List(fields.String(validate=validate.Length(1, TAG_MAX)), validate=validate.Length(max=50),
                       metadata={"description": "The complete new set of tags."})
    subject = fields.String(validate=[validate.Length(1, 255), NOT_BLANK])
    custom_fields = CUSTOM_VALUES


class ReplySchema(Schema):
    """A reply to the customer, or with `internal` an internal note."""

    body = fields.String(required=True, validate=[validate.Length(max=100_000), NOT_BLANK])
    internal = fields.Boolean(load_default=False)
    then_status = fields.String(validate=validate.OneOf(["pending", "solved"]), metadata={
        "description": "Send and set the ticket's status in one call (\"Send and set pending / solved\")."})
    reply_all = fields.Boolean(load_default=False, metadata={
        "description": "Also send it (Cc) to everyone else the customer's latest mail went to, except the "
                       "helpdesk's own addresses."})


# --- customers --------------------------------------------------------------------------------


class CustomerQuerySchema(Schema):
    """Search and page of the customer list."""

    q = fields.String(validate=validate.Length(max=200),
                      metadata={"description": "Text in the name or in any identity address."})
    cursor = page_cursor()
    limit = page_limit()


class OrganizationSchema(Schema):
    """The organization a customer belongs to."""

    id = fields.Integer()
    name = fields.String()
    domain = fields.String(allow_none=True)


class CustomerSchema(Schema):
    """A customer in a list."""

    id = fields.Integer()
    name = fields.String()
    tier = fields.String(validate=validate.OneOf(TIERS))
    identities = fields.List(fields.Nested(IdentitySchema))
    created_at = Timestamp()


class CustomerProfileSchema(ExpandedSchema, CustomerSchema):
    """A customer's whole profile and the tickets of theirs the caller may see."""

    language = fields.String(allow_none=True)
    timezone = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    organization = fields.Nested(OrganizationSchema, allow_none=True)
    org_manager = fields.Boolean(metadata={"description": "Sees the organization's tickets in the customer portal."})
    updated_at = Timestamp()
    ticket_ids = fields.List(fields.Integer(), metadata={"description": "Newest first; only tickets you may see."})
    custom_fields = fields.Function(lambda customer: _custom("customer", customer))


class CustomerPageSchema(Schema):
    """One page of customers."""

    items = fields.List(fields.Nested(CustomerSchema))
    next_cursor = fields.String(allow_none=True, metadata={"description": "Pass as `cursor`; null on the last page."})


class CustomerChangesSchema(Schema):
    """Profile fields to change; the ones left out stay as they are."""

    name = fields.String(validate=[validate.Length(1, 200), NOT_BLANK])
    language = fields.String(allow_none=True, validate=validate.Length(max=16),
                             metadata={"description": "A BCP 47 language tag such as en or pt-BR."})
    timezone = fields.String(allow_none=True, validate=validate.Length(max=64),
                             metadata={"description": "An IANA time zone such as Europe/Madrid."})
    tier = fields.String(validate=validate.OneOf(TIERS))
    notes = fields.String(allow_none=True, validate=validate.Length(max=10_000))
    organization_id = body_id(allow_none=True)
    org_manager = fields.Boolean(metadata={"description": "Sees every ticket of the organization's customers in "
                                                          "the customer portal (recorded in the audit log)."})
    custom_fields = CUSTOM_VALUES


class NewCustomerSchema(CustomerChangesSchema):
    """A new customer with at least one identity nobody else has."""

    name = fields.String(required=True, validate=[validate.Length(1, 200), NOT_BLANK])
    identities = fields.List(fields.Nested(IdentitySchema), required=True, validate=validate.Length(1, 20))
