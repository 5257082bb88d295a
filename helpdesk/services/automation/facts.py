"""Everything triggers may ask about a ticket, read in one statement: the ticket's columns, its
customer's tier, language and organization, the group's name, the message's words, the tags and
the custom values of ticket, customer and organization (aggregated into one string each, split
here). Evaluating 200 triggers costs this one round trip plus their conditions (bench/README)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy import bindparam, func, literal, select

from helpdesk.extensions import db
from helpdesk.models import Customer, CustomValue, Group, Message, Organization, Ticket, TicketTag
from helpdesk.models.base import utcnow
from helpdesk.models.fields import ENTITIES
from helpdesk.models.tickets import PRIORITY_NAMES
from helpdesk.services.automation.conditions import CUSTOM_PREFIXES
from helpdesk.services.fields.definitions import active
from helpdesk.services.fields.values import typed

SEP, PAIR = "\x1f", "\x1e"  # between aggregated items, between a custom value's field id and text
PREFIX = {"ticket": "custom.", "customer": "customer.custom.", "organization": "organization.custom."}


def _joined(column):
    """The non-null values of `column` in one string, SEP between them (SQLite and PostgreSQL)."""
    if db.engine.dialect.name == "postgresql":
        return func.string_agg(column, literal(SEP))
    return func.group_concat(column, SEP)


def _custom_column(entity: str, field_ids: tuple[int, ...]):
    """One entity's custom values as `<field id>PAIR<text>` items: the primary key finds them."""
    owner = {"ticket": Ticket.id, "customer": Ticket.customer_id, "organization": Customer.organization_id}[entity]
    pair = CustomValue.field_id.cast(db.String).concat(PAIR).concat(CustomValue.value)
    return (select(_joined(pair)).where(CustomValue.field_id.in_(field_ids), CustomValue.object_id == owner)
            .correlate(Ticket, Customer).scalar_subquery())


@lru_cache(maxsize=64)
def _statement(text: bool, by_message: bool, tags: bool, custom: tuple[tuple[str, tuple[int, ...]], ...], dialect: str):
    """The one SELECT for these needs (built once per shape; ticket and message ids are bound)."""
    columns = [Ticket.status, Ticket.priority, Ticket.group_id, Ticket.assignee_id, Ticket.channel, Ticket.subject,
               Ticket.merged_into_id, Customer.tier, Customer.language, Customer.organization_id, Organization.name,
               select(Group.name).where(Group.id == Ticket.group_id).correlate(Ticket).scalar_subquery()]
    if text:
        words = select(Message.body_text)
        words = (words.where(Message.id == bindparam("message_id")) if by_message else
                 words.where(Message.ticket_id == Ticket.id, Message.kind == "inbound").order_by(Message.id.desc()).limit(1))
        columns.append(words.correlate(Ticket).scalar_subquery())
    else:
        columns.append(literal(None))
    columns.append(select(_joined(TicketTag.name)).where(TicketTag.ticket_id == Ticket.id).correlate(Ticket)
                   .scalar_subquery() if tags else literal(None))
    columns += [_custom_column(entity, ids) for entity, ids in custom]
    return (select(*columns).select_from(Ticket).join(Customer, Customer.id == Ticket.customer_id)
            .outerjoin(Organization, Organization.id == Customer.organization_id)
            .where(Ticket.id == bindparam("ticket_id")))


def read(ticket_id: int, *, needs: frozenset[str] | None, message_id: int | None = None,
         now: datetime | None = None) -> dict | None:
    """The evaluation context of ticket `ticket_id` (None when there is none or it was merged);
    `message_id`: the message the event is about (its words are the `text`, else the customer's
    latest); `needs`: the fields some condition asks (None: all), the others are not read."""
    def wanted(*names: str) -> bool:
        return needs is None or any(n in needs for n in names)

    fields: dict = {}
    if needs is None or any(n.startswith(CUSTOM_PREFIXES) for n in needs):
        fields = {f.id: f for entity in ENTITIES for f in active(entity)}
    custom = tuple((entity, ids) for entity in ENTITIES
                   if (ids := tuple(i for i, f in fields.items() if f.entity == entity)))
    text = wanted("text")
    statement = _statement(text, text and message_id is not None, wanted("tags"), custom, db.engine.dialect.name)
    params = {"ticket_id": ticket_id} | ({"message_id": message_id} if text and message_id is not None else {})
    row = db.session.execute(statement, params).one_or_none()
    if row is None or row[6] is not None:
        return None
    (status, priority, group_id, assignee_id, channel, subject, _merged, tier, language, organization_id,
     organization_name, group_name, words, tags, *values) = row
    ctx = {"now": now or utcnow(), "status": status, "priority": PRIORITY_NAMES[priority], "group": group_id,
           "group_name": group_name, "assignee": assignee_id, "channel": channel, "subject": (subject or "").lower(),
           "text": f"{subject or ''}\n{words or ''}".lower(), "tags": frozenset(tags.split(SEP)) if tags else frozenset(),
           "language": (language or "").lower() or None, "customer.tier": tier,
           "customer.organization": organization_id, "organization_name": organization_name}
    for joined in values:
        for item in (joined.split(SEP) if joined else ()):
            field_id, _, value = item.partition(PAIR)
            field = fields.get(int(field_id))
            if field is not None:
                number = float(value) if field.kind == "number" else None
                ctx[PREFIX[field.entity] + field.key] = typed(field, value, number)
    return ctx
