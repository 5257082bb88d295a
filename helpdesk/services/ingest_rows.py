"""The ticket, event and message rows that ingesting one message reads and writes.

Core statements, built once with bound parameters and run on the session's connection, rather than
ORM objects: on this path, which runs for every message from every channel, the unit of work and
building each statement anew cost more than the SQL itself (the ORM's two flushes alone were 30 %
of an ingest). Nothing here is loaded into the session, so code that reads a ticket later in the
same transaction gets it from the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, or_, select

from helpdesk.extensions import db
from helpdesk.models import Attachment, Message, Ticket, TicketEvent, TicketTopic
from helpdesk.models.tickets import TicketLabels

tickets = Ticket.__table__
messages = Message.__table__
ticket_events = TicketEvent.__table__
attachments = Attachment.__table__
ticket_topics = TicketTopic.__table__


@dataclass
class TicketRow(TicketLabels):
    """The columns of a ticket that ingestion reads, changes and announces (see events.ticket_payload)."""

    id: int
    status: str
    priority: int
    channel: str
    customer_id: int
    group_id: int | None
    assignee_id: int | None
    merged_into_id: int | None
    sla_state: str | None


_TICKET_COLUMNS = (tickets.c.id, tickets.c.status, tickets.c.priority, tickets.c.channel, tickets.c.customer_id,
                   tickets.c.group_id, tickets.c.assignee_id, tickets.c.merged_into_id, tickets.c.sla_state)


_BY_ID = select(*_TICKET_COLUMNS).where(tickets.c.id == bindparam("ticket_id"))
_STORED = select(messages.c.ticket_id, messages.c.id).where(
    messages.c.source == bindparam("source"), messages.c.external_id == bindparam("external_id"))
_REFERENCED = (select(messages.c.ticket_id)
               .where(or_(messages.c.external_id.in_(bindparam("refs", expanding=True)),
                          messages.c.provider_id.in_(bindparam("refs", expanding=True))))
               .order_by(messages.c.id.desc()).limit(1))
_IN_THREAD = (select(*_TICKET_COLUMNS)
              .where(tickets.c.source == bindparam("source"), tickets.c.thread_key == bindparam("thread_key"),
                     tickets.c.status != "closed", tickets.c.merged_into_id.is_(None))
              .order_by(tickets.c.id.desc()).limit(1))
_INSERT_TICKET = tickets.insert()
_UPDATE_TICKET = tickets.update().where(tickets.c.id == bindparam("ticket_id"))
_INSERT_EVENT = ticket_events.insert()
_INSERT_MESSAGE = messages.insert()
_INSERT_ATTACHMENT = attachments.insert()
_INSERT_TOPIC = ticket_topics.insert()
_TOPIC_CTE = ticket_topics.insert().values(
    {c: bindparam(f"topic_{c}") for c in ("ticket_id", "topic_id", "score", "model_id", "assigned_at")}).cte("new_topic")
_with_topic: dict[frozenset, object] = {}
# With a CTE beside it, SQLAlchemy binds the message table's own defaults as NULL: they are given here.
_MESSAGE_DEFAULTS = {c.key: c.default.arg for c in messages.columns if c.default is not None and c.default.is_scalar}


def _insert_message_with_topic(columns: frozenset):
    """PostgreSQL: the message's INSERT carrying the topic's row as a data-modifying CTE (one
    statement). Its columns are named, so the ones `values` leaves out get their defaults."""
    statement = _with_topic.get(columns)
    if statement is None:
        statement = _with_topic[columns] = (messages.insert().values({c: bindparam(c) for c in columns})
                                            .add_cte(_TOPIC_CTE).returning(messages.c.id))
    return statement


def _execute(statement, parameters):
    return db.session.connection().execute(statement, parameters)


def stored_message(source: str, external_id: str) -> tuple[int, int] | None:
    """(ticket id, message id) of the message already stored under (source, external id)."""
    row = _execute(_STORED, {"source": source, "external_id": external_id}).first()
    return (row[0], row[1]) if row is not None else None


def ticket(ticket_id: int) -> TicketRow | None:
    """The ticket `ticket_id`, or where it was merged (following a chain of merges)."""
    seen: set[int] = set()
    row = _execute(_BY_ID, {"ticket_id": ticket_id}).first()
    while row is not None and row.merged_into_id is not None and row.id not in seen:
        seen.add(row.id)
        row = _execute(_BY_ID, {"ticket_id": row.merged_into_id}).first()
    return TicketRow(*row) if row is not None else None


def referenced_ticket_id(refs: list[str]) -> int | None:
    """The ticket of the latest message whose external or provider id is among `refs`."""
    return _execute(_REFERENCED, {"refs": refs}).scalar()


def unclosed_ticket_in_thread(source: str, thread_key: str) -> TicketRow | None:
    """The latest unclosed, unmerged ticket of a channel's thread (a chat, a Telegram chat, ...)."""
    row = _execute(_IN_THREAD, {"source": source, "thread_key": thread_key}).first()
    return TicketRow(*row) if row is not None else None


def insert_ticket(values: dict) -> int:
    """Insert a new ticket with `values`; returns its id."""
    return _execute(_INSERT_TICKET, values).inserted_primary_key[0]


def update_ticket(ticket_id: int, values: dict) -> None:
    _execute(_UPDATE_TICKET, values | {"ticket_id": ticket_id})


def add_event(ticket_id: int, kind: str, data: dict, now: datetime) -> None:
    _execute(_INSERT_EVENT, {"ticket_id": ticket_id, "kind": kind, "data": data, "created_at": now})


def insert_message(values: dict, files: list[dict], topic: dict | None = None) -> int:
    """A new message with `values` and its attachments (columns from attachments.store_row), and the
    new ticket's `ticket_topics` row `topic` (see topics.assign.new_ticket_row) if given."""
    if topic is None:
        message_id = _execute(_INSERT_MESSAGE, values).inserted_primary_key[0]
    elif db.session.get_bind().dialect.name == "postgresql":  # one round trip, not two
        values = _MESSAGE_DEFAULTS | values
        statement = _insert_message_with_topic(frozenset(values))
        message_id = _execute(statement, values | {f"topic_{k}": v for k, v in topic.items()}).scalar()
    else:
        message_id = _execute(_INSERT_MESSAGE, values).inserted_primary_key[0]
        _execute(_INSERT_TOPIC, topic)
    if files:
        _execute(_INSERT_ATTACHMENT, [dict(f, message_id=message_id) for f in files])
    return message_id
