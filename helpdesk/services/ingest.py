"""The single path from any channel to a ticket."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from channels.base import InboundMessage
from helpdesk.extensions import db
from helpdesk.models import Customer, Group, Identity, Message, Ticket, TicketEvent
from helpdesk.models.base import utcnow
from helpdesk.models.tickets import OPEN_STATUSES
from helpdesk.services import attachments, customers, events, rules, sla_clocks, sla_config
from helpdesk.services.sanitize import clean_html
from helpdesk.services.transactions import begin_write, retry_when_busy

SUBJECT_MAX = 255
PLAUSIBLE_AGE = timedelta(days=30)
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class IngestResult:
    """What ingesting one message did."""

    ticket_id: int
    message_id: int
    created_ticket: bool
    duplicate: bool


def _existing(message: InboundMessage) -> IngestResult | None:
    """The result of the first delivery of `message`, when it was stored already."""
    row = db.session.execute(
        select(Message.ticket_id, Message.id).where(Message.source == message.source,
                                                    Message.external_id == message.external_id)
    ).first()
    return IngestResult(row[0], row[1], created_ticket=False, duplicate=True) if row is not None else None


def _follow_merges(ticket: Ticket | None) -> Ticket | None:
    seen = set()
    while ticket is not None and ticket.merged_into_id is not None and ticket.id not in seen:
        seen.add(ticket.id)
        ticket = db.session.get(Ticket, ticket.merged_into_id)
    return ticket


def _find_thread(message: InboundMessage, customer: Customer | None) -> Ticket | None:
    """The ticket this message continues: by reference (to a message we received or sent), by
    channel thread, by quoted number (only for a known customer who takes part in that ticket)."""
    if message.thread_refs:
        refs = list(message.thread_refs)
        ticket_id = db.session.scalar(
            select(Message.ticket_id).where(or_(Message.external_id.in_(refs), Message.provider_id.in_(refs)))
            .order_by(Message.id.desc()).limit(1)
        )
        if ticket_id is not None:
            return _follow_merges(db.session.get(Ticket, ticket_id))
    if message.thread_key:
        ticket = db.session.scalar(
            select(Ticket).where(Ticket.source == message.source, Ticket.thread_key == message.thread_key,
                                 Ticket.status != "closed", Ticket.merged_into_id.is_(None))
            .order_by(Ticket.id.desc()).limit(1)
        )
        if ticket is not None:
            return ticket
    if (message.ticket_hint is not None and customer is not None and customer.id is not None
            and customers.is_participant(message.ticket_hint, customer.id)):
        return _follow_merges(db.session.get(Ticket, message.ticket_hint))
    return None


def _subject(message: InboundMessage) -> str:
    subject = (message.subject or "").strip()
    if not subject:
        first_line = next((line.strip() for line in message.body_text.splitlines() if line.strip()), "")
        subject = first_line[:80] or "(no subject)"
    return " ".join(subject.split())[:SUBJECT_MAX]


def _default_group(hint: str | None) -> Group | None:
    if hint:
        group = db.session.scalar(select(Group).where(Group.name == hint))
        if group is not None:
            return group
    return db.session.scalar(select(Group).where(Group.is_default).limit(1))


def _open_ticket(message: InboundMessage, customer: Customer, now) -> Ticket:
    subject = _subject(message)
    group = _default_group(message.group_hint)
    decided = rules.triage(channel=message.channel, customer=customer, group=group, subject=subject, body=message.body_text)
    ticket = Ticket(
        subject=subject, status="new", priority=decided.priority, channel=message.channel, source=message.source,
        thread_key=message.thread_key, customer=customer, group_id=decided.group_id,
        created_at=now, updated_at=now, last_customer_message_at=None if message.is_automated else now,
        sla_state="none",  # open and without a clock until the SLA engine gives it one
    )
    db.session.add(ticket)
    db.session.flush()  # the ticket's id, for its event and message (a new customer is written with it)
    db.session.add(TicketEvent(ticket_id=ticket.id, kind="created", created_at=now,
                               data={"channel": message.channel, "rules": list(decided.rule_ids)}))
    return ticket


def _continue_ticket(ticket: Ticket, message: InboundMessage, now) -> dict:
    """A customer wrote again: reopen what was waiting or solved."""
    changes: dict = {}
    if not message.is_automated and ticket.status in ("pending", "solved"):
        changes["status"] = [ticket.status, "open"]
        ticket.status = "open"
        ticket.solved_at = None
        db.session.add(TicketEvent(ticket_id=ticket.id, kind="reopened" if changes["status"][0] == "solved" else "status",
                                   data={"status": changes["status"]}, created_at=now))
    ticket.updated_at = now
    if not message.is_automated:
        ticket.last_customer_message_at = now
    return changes


def _message_row(message: InboundMessage, ticket: Ticket, identity: Identity | None, raw: bytes | None, now) -> Message:
    stored = Message(
        ticket_id=ticket.id, kind="inbound", channel=message.channel, source=message.source,
        external_id=message.external_id, identity=identity,
        sender=_display(message.sender), body_text=message.body_text, body_html=clean_html(message.body_html),
        is_automated=message.is_automated, created_at=_arrival(message.received_at, now),
        quoted_from=message.quoted_from, signature_from=message.signature_from,
        participants=[{"kind": p.kind, "address": p.address, "name": p.name} for p in message.participants] or None,
        raw_key=attachments.write_blob(raw)[0] if raw is not None else None,
    )
    stored.attachments = [attachments.store(item) for item in message.attachments]
    db.session.add(stored)
    return stored


def _arrival(received_at: datetime | None, now: datetime) -> datetime:
    """When the message arrived, as naive UTC. The channel's own time is trusted only when it is
    plausible (a back-filled mail from days ago, yes; a Date header from 1970 or next year, no)."""
    if received_at is None:
        return now
    if received_at.tzinfo is not None:
        received_at = received_at.astimezone(UTC).replace(tzinfo=None)
    return received_at if now - PLAUSIBLE_AGE <= received_at <= now + CLOCK_SKEW else now


def _display(sender) -> str:
    return (f"{sender.name} <{sender.address}>" if sender.name else sender.address)[:400]


def _store(message: InboundMessage, identity: Identity, raw: bytes | None, now: datetime) -> tuple[Ticket, Message, bool, dict]:
    customer = identity.customer
    ticket = _find_thread(message, customer)
    if ticket is not None and ticket.status == "closed":
        ticket = None  # a closed ticket stays closed; the customer gets a fresh one
    created = ticket is None
    changes = {} if created else _continue_ticket(ticket, message, now)
    if created:
        ticket = _open_ticket(message, customer, now)
    return ticket, _message_row(message, ticket, identity, raw, now), created, changes


def _store_on_existing(message: InboundMessage, raw: bytes | None, now: datetime) -> tuple[Ticket, Message, bool, dict] | None:
    """Mail that may only continue a ticket (bounces, our own mail, system senders): no customer
    record is made for its sender, and without a thread to join nothing is stored."""
    ticket = _find_thread(message, None)
    if ticket is None or ticket.status == "closed":
        return None
    ticket.updated_at = now
    return ticket, _message_row(message, ticket, None, raw, now), False, {}


def _clocks(ticket: Ticket, now: datetime, policies: sla_config.PolicySet) -> dict:
    """Recompute the ticket's SLA clocks inside the ingest transaction (instead of a write
    transaction of their own after commit); the payload keys that say so to subscribers."""
    if not policies.policies and ticket.status in OPEN_STATUSES and ticket.sla_state == "none":
        return {"sla_refreshed": True}  # open, no clock and none can start: "none" is already right
    done = sla_clocks.refresh_locked([ticket.id], now, policies)
    return {"sla_state": done[0][1].state if done else ticket.sla_state, "sla_refreshed": True}


def _write(message: InboundMessage, allow_new_ticket: bool, raw: bytes | None,
           policies: sla_config.PolicySet) -> tuple[IngestResult | None, list[tuple[str, dict]]]:
    """Inside the caller's write transaction: store `message` and flush. Returns the result (None:
    nothing stored, see `ingest`) and the events to publish once the transaction is committed."""
    existing = _existing(message)
    if existing is not None:
        return existing, []
    now = utcnow()
    with db.session.no_autoflush:  # a new customer, ticket, event and message go out in two flushes
        if allow_new_ticket:
            _, identity = customers.resolve_unflushed(message.sender)
            stored_parts = _store(message, identity, raw, now)
        else:
            stored_parts = _store_on_existing(message, raw, now)
    if stored_parts is None:
        return None, []
    ticket, stored, created, changes = stored_parts
    db.session.flush()
    # Read before commit: no reload afterwards.
    payload = events.ticket_payload(ticket) | _clocks(ticket, now, policies)
    result = IngestResult(ticket.id, stored.id, created_ticket=created, duplicate=False)
    return result, [("ticket.created" if created else "ticket.updated", payload | {"changes": changes}),
                    ("message.created", payload | {"message_id": result.message_id, "kind": "inbound"})]


def _publish(published: list[tuple[str, dict]]) -> None:
    for name, payload in published:
        events.publish(name, payload)


@retry_when_busy
def ingest(message: InboundMessage, *, allow_new_ticket: bool = True, raw: bytes | None = None) -> IngestResult | None:
    """Store `message` on the right ticket of the right customer and commit; then publish events.

    Idempotent on (source, external_id): a re-delivered message returns the first result with
    `duplicate=True` and changes nothing. With `allow_new_ticket=False` the message only joins
    the ticket it belongs to, and None is returned (nothing stored) when there is none. `raw`, the
    message as the provider delivered it, is kept beside the parsed one.
    """
    for attempt in (1, 2):
        begin_write()
        try:
            result, published = _write(message, allow_new_ticket, raw, sla_config.active_policies())
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            existing = _existing(message)  # lost a race with a concurrent delivery of the same message
            if existing is not None:
                return existing
            if attempt == 2:
                raise
            continue  # or with a concurrent first message of the same new customer: start over
        except BaseException:
            db.session.rollback()
            raise
        _publish(published)
        return result
    raise AssertionError("unreachable")


@retry_when_busy
def ingest_many(items: list[tuple[InboundMessage, bool, bytes | None]],
                prepare: Callable[[InboundMessage, bytes | None], InboundMessage] | None = None) -> list[IngestResult | None]:
    """`ingest` for several messages (message, allow_new_ticket, raw) in one transaction: all are
    committed together, then their events are published in order. Any failure rolls back the whole
    batch and propagates; the caller then ingests the messages one by one to isolate the bad one.
    A message repeated within the batch is stored once (later copies come back as duplicates).
    `prepare(message, raw)`, when given, returns the message to write; it runs in the transaction
    right before each message is written, so its queries see the messages before it in the batch."""
    begin_write()
    try:
        policies = sla_config.active_policies()
        written = [_write(prepare(message, raw) if prepare else message, allow_new, raw, policies)
                   for message, allow_new, raw in items]
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    for _, published in written:
        _publish(published)
    return [result for result, _ in written]
