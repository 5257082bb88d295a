"""The single path from any channel to a ticket."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from channels.base import InboundMessage
from helpdesk.extensions import db
from helpdesk.models.base import utcnow
from helpdesk.services import attachments, customers, events, ingest_rows, rules, senders
from helpdesk.services.ingest_rows import TicketRow
from helpdesk.services.sanitize import clean_html
from helpdesk.services.sla import clocks as sla_clocks
from helpdesk.services.sla import config as sla_config
from helpdesk.services.sla.clocks import NewTicket
from helpdesk.services.topics import assign as topic_assign
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


@dataclass(frozen=True)
class Opened:
    """A ticket that ingesting `message` opened, as an `Answer` hook sees it (inside the transaction)."""

    ticket: TicketRow
    source: str
    subject: str
    customer_name: str
    message: InboundMessage
    payload: dict  # the ticket part of its events
    now: datetime
    customer_language: str | None = None  # the customer's language tag, when known


# Called inside the ingest transaction for each ticket a message opened: it may stage rows in that
# transaction (an automatic answer, which then exists exactly when the ticket does) and returns
# the events to publish after the commit.
Answer = Callable[[Opened], list[tuple[str, dict]]]


def _existing(message: InboundMessage) -> IngestResult | None:
    """The result of the first delivery of `message`, when it was stored already."""
    found = ingest_rows.stored_message(message.source, message.external_id)
    return IngestResult(found[0], found[1], created_ticket=False, duplicate=True) if found is not None else None


def _find_thread(message: InboundMessage, sender: senders.SenderRecord | None) -> TicketRow | None:
    """The ticket this message continues: by reference (to a message we received or sent), by
    channel thread, by quoted number (only for a known customer who takes part in that ticket)."""
    if message.thread_refs:
        ticket_id = ingest_rows.referenced_ticket_id(list(message.thread_refs))
        if ticket_id is not None:
            return ingest_rows.ticket(ticket_id)
    if message.thread_key:
        ticket = ingest_rows.unclosed_ticket_in_thread(message.source, message.thread_key)
        if ticket is not None:
            return ticket
    if (message.ticket_hint is not None and 0 < message.ticket_hint <= customers.MAX_ID
            and sender is not None and not sender.is_new and customers.is_participant(message.ticket_hint, sender.customer_id)):
        return ingest_rows.ticket(message.ticket_hint)
    return None


def _subject(message: InboundMessage) -> str:
    subject = (message.subject or "").strip()
    if not subject:
        first_line = next((line.strip() for line in message.body_text.splitlines() if line.strip()), "")
        subject = first_line[:80] or "(no subject)"
    return " ".join(subject.split())[:SUBJECT_MAX]


def _open_ticket(message: InboundMessage, sender: senders.SenderRecord, now: datetime,
                 subject: str) -> tuple[TicketRow, tuple[int, ...]]:
    """Store a new ticket as the `ticket.created` triggers decide; returns it and the matched
    triggers that have more to do after commit."""
    decided = rules.triage(channel=message.channel, tier=sender.tier, group_hint=message.group_hint,
                           subject=subject, body=message.body_text, sender_priority=message.priority_hint,
                           organization_id=sender.organization_id,
                           customer_id=None if sender.is_new else sender.customer_id)
    # Open and without a clock ("none") until the SLA engine gives it one.
    ticket = TicketRow(id=0, status="new", priority=decided.priority, channel=message.channel,
                       customer_id=sender.customer_id, group_id=decided.group_id, assignee_id=None,
                       merged_into_id=None, sla_state="none")
    ticket.id = ingest_rows.insert_ticket(dict(
        subject=subject, status=ticket.status, priority=ticket.priority, channel=ticket.channel,
        source=message.source, thread_key=message.thread_key, customer_id=ticket.customer_id,
        group_id=ticket.group_id, created_at=now, updated_at=now,
        last_customer_message_at=None if message.is_automated else now, sla_state=ticket.sla_state))
    why = {"sender_priority": message.priority_hint} if message.priority_hint else {}  # the timeline says why
    ingest_rows.add_event(ticket.id, "created", {"channel": message.channel, "rules": list(decided.rule_ids)} | why, now)
    return ticket, decided.followups


def _continue_ticket(ticket: TicketRow, message: InboundMessage, now: datetime) -> dict:
    """A customer wrote again: reopen what was waiting or solved."""
    changes: dict = {}
    values: dict = {"updated_at": now}
    if not message.is_automated:
        values["last_customer_message_at"] = now
        if ticket.status in ("pending", "solved"):
            changes["status"] = [ticket.status, "open"]
            values |= {"status": "open", "solved_at": None}
            ingest_rows.add_event(ticket.id, "reopened" if ticket.status == "solved" else "status",
                                  {"status": changes["status"]}, now)
            ticket.status = "open"
    ingest_rows.update_ticket(ticket.id, values)
    return changes


def _store_message(message: InboundMessage, ticket: TicketRow, identity_id: int | None, raw: bytes | None,
                   arrival: datetime, topic: dict | None = None) -> int:
    return ingest_rows.insert_message(dict(
        ticket_id=ticket.id, kind="inbound", channel=message.channel, source=message.source,
        external_id=message.external_id, identity_id=identity_id,
        sender=_display(message.sender), body_text=message.body_text, body_html=clean_html(message.body_html),
        is_automated=message.is_automated, created_at=arrival,
        quoted_from=message.quoted_from, signature_from=message.signature_from,
        participants=[{"kind": p.kind, "address": p.address, "name": p.name} for p in message.participants] or None,
        recipients=_recipients(message),
        raw_key=attachments.write_blob(raw)[0] if raw is not None else None,
    ), [attachments.store_row(item) for item in message.attachments], topic)


def _recipients(message: InboundMessage) -> dict | None:
    if not message.to and not message.cc:
        return None
    return {"to": [{"name": p.name, "address": p.address} for p in message.to],
            "cc": [{"name": p.name, "address": p.address} for p in message.cc]}


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


def _clocks(ticket: TicketRow, now: datetime, policies: sla_config.PolicySet, new: NewTicket | None) -> dict:
    """Compute the ticket's SLA clocks inside the ingest transaction (instead of a write transaction
    of their own after commit), from memory when the ticket is `new`; the payload keys that say so."""
    if new is not None and policies.policies:
        return {"sla_state": sla_clocks.start_locked(new, now, policies).state, "sla_refreshed": True}
    return sla_clocks.refresh_in_change(ticket.id, ticket.status, ticket.sla_state, now, policies)


# Given a message whose (source, external id) is stored already, its raw form and the stored
# message's text: the message to store instead (under another external id), or itself when it
# is the same message again.
Reconcile = Callable[[InboundMessage, bytes | None, str], InboundMessage]


def _write(message: InboundMessage, allow_new_ticket: bool, raw: bytes | None, policies: sla_config.PolicySet,
           reconcile: Reconcile | None = None, answer: Answer | None = None,
           ) -> tuple[IngestResult | None, list[tuple[str, dict]]]:
    """Inside the caller's write transaction: store `message`. Returns the result (None: nothing
    stored, see `ingest`) and the events to publish once the transaction is committed."""
    wanted = message.sender if allow_new_ticket else None
    looked_up = senders.lookup(message.source, message.external_id, wanted)
    if looked_up.stored is not None and reconcile is not None:
        other = reconcile(message, raw, looked_up.stored_text or "")
        if other.external_id != message.external_id:
            message, looked_up = other, senders.lookup(other.source, other.external_id, wanted)
    if looked_up.stored is not None:
        return IngestResult(*looked_up.stored, created_ticket=False, duplicate=True), []
    now = utcnow()
    sender = senders.sender_record(message.sender, looked_up) if allow_new_ticket else None
    ticket = _find_thread(message, sender)
    if ticket is not None and ticket.status == "closed":
        ticket = None  # a closed ticket stays closed; the customer gets a fresh one
    created, changes, matched = ticket is None, {}, ()
    if ticket is None:
        if sender is None:
            return None, []  # may only continue a ticket (bounces, our own mail, system senders)
        ticket, matched = _open_ticket(message, sender, now, subject := _subject(message))
    elif sender is not None:
        changes = _continue_ticket(ticket, message, now)
    else:
        ingest_rows.update_ticket(ticket.id, {"updated_at": now})
    arrival = _arrival(message.received_at, now)
    # A new ticket's topic, predicted (no refit), is written by the message's own statement.
    topic = topic_assign.new_ticket_row(ticket.id, subject, message.body_text) if created else None
    message_id = _store_message(message, ticket, sender.identity_id if sender else None, raw, arrival, topic)
    if topic is not None:
        topic_assign.tag_new(ticket.id, topic["topic_id"])
    new = (NewTicket(ticket.id, ticket.status, ticket.priority, ticket.channel, ticket.group_id, created_at=now,
                     tier=sender.tier, organization_id=sender.organization_id,
                     customer_message_at=None if message.is_automated else arrival)
           if created else None)
    payload = events.ticket_payload(ticket) | _clocks(ticket, now, policies, new)
    result = IngestResult(ticket.id, message_id, created_ticket=created, duplicate=False)
    # A new ticket's payload names the triggers matched at intake whose other actions follow.
    opened = {"changes": changes, "triggers": list(matched)} if created else {"changes": changes}
    published = [("ticket.created" if created else "ticket.updated", payload | opened),
                 ("message.created", payload | {"message_id": message_id, "kind": "inbound", "new_ticket": created})]
    if created and answer is not None:  # right after the message it answers: it comes before any follow-up
        published += answer(Opened(ticket, message.source, subject, sender.name, message, payload, now, sender.language))
    return result, published


def _publish(published: list[tuple[str, dict]]) -> None:
    for name, payload in published:
        events.publish(name, payload)


@retry_when_busy
def ingest(message: InboundMessage, *, allow_new_ticket: bool = True, raw: bytes | None = None,
           reconcile: Reconcile | None = None, answer: Answer | None = None) -> IngestResult | None:
    """Store `message` on the right ticket of the right customer and commit; then publish events.

    Idempotent on (source, external_id): a re-delivered message returns the first result with
    `duplicate=True` and changes nothing. With `allow_new_ticket=False` the message only joins
    the ticket it belongs to, and None is returned (nothing stored) when there is none. `raw`, the
    message as the provider delivered it, is kept beside the parsed one. `reconcile` decides about
    a message whose external id is taken already (see `Reconcile`); without it, that is the same
    message again. `answer` is called for a ticket the message opens (see `Answer`).
    """
    for attempt in (1, 2):
        begin_write()
        try:
            result, published = _write(message, allow_new_ticket, raw, sla_config.active_policies(), reconcile, answer)
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
                reconcile: Reconcile | None = None, answer: Answer | None = None) -> list[IngestResult | None]:
    """`ingest` for several messages (message, allow_new_ticket, raw) in one transaction: all are
    committed together, then their events are published in order. Any failure rolls back the whole
    batch and propagates; the caller then ingests the messages one by one to isolate the bad one.
    A message repeated within the batch is stored once (later copies come back as duplicates, or
    as `reconcile` decides: it sees the messages before it in the batch)."""
    begin_write()
    try:
        policies = sla_config.active_policies()
        written = [_write(message, allow_new, raw, policies, reconcile, answer) for message, allow_new, raw in items]
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    for _, published in written:
        _publish(published)
    return [result for result, _ in written]
