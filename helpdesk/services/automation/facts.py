"""Everything triggers may ask about a ticket, read in one statement: the ticket's columns, its
customer's tier, language and organization, the group's name, the message's words, the tags and
the custom values of ticket, customer and organization (aggregated into one string each, split
here), and the settings token the statement saw (so the caller knows which triggers apply without
a read of its own). Evaluating 200 triggers costs this one round trip plus their conditions
(bench/README)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, literal, select

from helpdesk.extensions import db
from helpdesk.models import Customer, CustomValue, Group, Message, Organization, SettingsRevision, Ticket, TicketTag
from helpdesk.models.base import utcnow
from helpdesk.models.fields import ENTITIES
from helpdesk.models.tickets import PRIORITY_NAMES
from helpdesk.services.automation.conditions import CUSTOM_PREFIXES
from helpdesk.services.fields.definitions import FieldDef, active
from helpdesk.services.fields.values import typed
from helpdesk.services.transactions import driver_cursor

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


def _statement(text: bool, by_message: bool, tags: bool, custom: tuple[tuple[str, tuple[int, ...]], ...]):
    """The one SELECT for these needs (ticket and message ids are bound)."""
    columns = [Ticket.status, Ticket.priority, Ticket.group_id, Ticket.assignee_id, Ticket.channel, Ticket.subject,
               Ticket.merged_into_id, Customer.tier, Customer.language, Customer.organization_id, Organization.name,
               select(Group.name).where(Group.id == Ticket.group_id).correlate(Ticket).scalar_subquery(),
               select(SettingsRevision.token).where(SettingsRevision.id == 1).scalar_subquery()]
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


@contextmanager
def _cursor() -> Iterator:
    """A DBAPI cursor for the read: inside the session's transaction when it has one (the read sees
    what it wrote), else on a connection of its own in autocommit (transactions.driver_cursor)."""
    session = db.session()
    if not session.in_transaction():
        with driver_cursor() as cursor:
            yield cursor
        return
    cursor = session.connection().connection.cursor()
    try:
        yield cursor
    finally:
        cursor.close()


@dataclass(frozen=True)
class Reader:
    """The statement for one set of needs, rendered once for the driver."""

    sql: str
    params: dict
    positions: tuple[str, ...] | None  # the parameters' order, for drivers with positional markers
    fields: dict[int, FieldDef]  # the custom fields read, by id

    def read(self, ticket_id: int, message_id: int | None = None,
             now: datetime | None = None) -> tuple[dict | None, str | None]:
        """(the evaluation context of ticket `ticket_id`, the settings token the read saw); the
        context is None when there is no such ticket or it was merged."""
        params = self.params | {"ticket_id": ticket_id, "message_id": message_id}
        with _cursor() as cursor:
            cursor.execute(self.sql, tuple(params[k] for k in self.positions) if self.positions else params)
            row = cursor.fetchone()
        if row is None:
            return None, None
        (status, priority, group_id, assignee_id, channel, subject, merged, tier, language, organization_id,
         organization_name, group_name, token, words, tags, *values) = row
        if merged is not None:
            return None, token
        ctx = {"now": now or utcnow(), "status": status, "priority": PRIORITY_NAMES[priority], "group": group_id,
               "group_name": group_name, "assignee": assignee_id, "channel": channel,
               "subject": (subject or "").lower(), "text": f"{subject or ''}\n{words or ''}".lower(),
               "tags": frozenset(tags.split(SEP)) if tags else frozenset(),
               "language": (language or "").lower() or None, "customer.tier": tier,
               "customer.organization": organization_id, "organization_name": organization_name}
        for joined in values:
            for item in (joined.split(SEP) if joined else ()):
                field_id, _, value = item.partition(PAIR)
                field = self.fields.get(int(field_id))
                if field is not None:
                    number = float(value) if field.kind == "number" else None
                    ctx[PREFIX[field.entity] + field.key] = typed(field, value, number)
        return ctx, token


def reader(needs: frozenset[str] | None, *, by_message: bool) -> Reader:
    """The reader of what `needs` asks (None: everything); `by_message`: the words are those of a
    given message (else the customer's latest). Reads the custom field definitions in the caller's
    session; build it once per settings revision."""
    def wanted(*names: str) -> bool:
        return needs is None or any(n in needs for n in names)

    fields: dict = {}
    if needs is None or any(n.startswith(CUSTOM_PREFIXES) for n in needs):
        fields = {f.id: f for entity in ENTITIES for f in active(entity)}
    custom = tuple((entity, ids) for entity in ENTITIES
                   if (ids := tuple(i for i, f in fields.items() if f.entity == entity)))
    text = wanted("text")
    statement = _statement(text, text and by_message, wanted("tags"), custom)
    bound = {"ticket_id": 0} | ({"message_id": 0} if text and by_message else {})
    state = statement.compile(dialect=db.engine.dialect).construct_expanded_state(bound)
    return Reader(state.statement, dict(state.parameters), tuple(state.positiontup) if state.positiontup else None,
                  fields)
