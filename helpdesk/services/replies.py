"""Agent replies and internal notes: stored first, then delivered through the outbox."""

from __future__ import annotations

import base64
import functools
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, delete, func, or_, select, update

import channels
from channels.base import AUTO_REPLIED, DeliveryError, OutboundMessage, Sender
from channels.base import Attachment as OutgoingFile
from channels.simulated import SimulatedChannel
from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Draft, Identity, Message, Ticket, TicketEvent, User
from helpdesk.models.base import utcnow
from helpdesk.services import attachments, channel_accounts, events
from helpdesk.services.attachments import path_for
from helpdesk.services.mail import copies
from helpdesk.services.secrets import SecretUnreadable
from helpdesk.services.surveys import outbound as survey_outbound
from helpdesk.services.transactions import begin_write, commit_keeping_objects

log = logging.getLogger(__name__)

BODY_MAX = 100_000
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600


class ReplyError(ValueError):
    """A reply that cannot be stored; `field` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class DeliveryOutcome:
    """What one delivery attempt did; `retry_in` seconds when it should be tried again."""

    state: str
    retry_in: int | None = None


@dataclass(frozen=True)
class Handover:
    """How a channel hands a reply to its recipient the moment it is committed, in the process
    that stored it, when the recipient is connected to us (a chat widget that is open), instead of
    through the outbox job: one write transaction per reply instead of two, and no job.

    `target(ticket)` says where to push now, or None to leave the reply to the outbox;
    `prepare(message, ticket)` builds what to push (before the commit, which expires the
    objects); `push(target, prepared)` sends it and raises when it could not. A reply whose push
    raises goes back to the outbox."""

    target: Callable[[Ticket], object | None]
    prepare: Callable[[Message, Ticket], object]
    push: Callable[[object, object], None]


_handovers: dict[str, Handover] = {}


def register_handover(channel: str, handover: Handover) -> None:
    """Let replies on `channel` be handed over at once when `handover.target` allows it."""
    _handovers[channel] = handover


def backoff_seconds(attempts: int) -> int:
    """Delay before attempt number `attempts + 1`: doubling from 30 s, capped at an hour."""
    return min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS)


def add_reply(ticket: Ticket, author: User, *, body: str, internal: bool = False,
              files: tuple[OutgoingFile, ...] = (), reply_all: bool = False) -> Message:
    """Store an agent reply (queued for delivery) or an internal note, commit, publish.

    `reply_all`: the reply also goes (Cc) to everyone else the customer's latest mail went to,
    never to the helpdesk's own addresses (see services.mail.copies).

    The outbox job is enqueued by the `message.created` subscriber, after the commit. A reply
    whose channel can hand it over at once (see `Handover`) is stored as delivered and pushed right
    after the commit; if the push fails it goes back to the outbox.
    """
    body = (body or "").strip()
    if not body:
        raise ReplyError("body", _("must not be empty"))
    if len(body) > BODY_MAX:
        raise ReplyError("body", _("must be at most %(body_max)s characters", body_max=BODY_MAX))
    # The caller read the ticket in a read transaction; on SQLite that one cannot become a writer
    # once another writer committed (a busy chat would fail replies with "database is locked").
    begin_write()
    if ticket.merged_into_id is not None:
        raise ReplyError("ticket", _("was merged into #%(merged_into_id)s; reply there", merged_into_id=ticket.merged_into_id))
    now = utcnow()
    try:
        stored_files = [attachments.store(f) for f in files]
    except attachments.AttachmentTooLarge as exc:
        raise ReplyError("attachments", str(exc)) from None
    handover = None if internal else _handovers.get(ticket.channel)
    target = handover.target(ticket) if handover is not None else None
    if internal:
        delivery = {"delivery_state": None, "next_attempt_at": None}
    elif target is not None:
        delivery = {"delivery_state": "delivered", "next_attempt_at": None, "delivery_attempts": 1}
    else:
        delivery = {"delivery_state": "queued", "next_attempt_at": now}
    message = Message(
        ticket_id=ticket.id, kind="note" if internal else "outbound", channel=ticket.channel, source=ticket.source,
        author=author, body_text=body, created_at=now, **delivery,
    )
    message.attachments = stored_files
    cc = reply_all_copies(ticket) if reply_all and not internal else []
    message.recipients = {"to": [], "cc": cc} if cc else None
    db.session.add(message)
    # Sent: the author's draft on this ticket goes in the same transaction (see services.drafts).
    db.session.execute(delete(Draft).where(Draft.ticket_id == ticket.id, Draft.user_id == author.id))
    changes: dict = {}
    if not internal:
        ticket.first_response_at = ticket.first_response_at or now
        ticket.last_agent_message_at = now
        if ticket.status == "new":
            changes["status"] = ["new", "open"]
            ticket.status = "open"
            db.session.add(TicketEvent(ticket_id=ticket.id, actor_id=author.id, kind="changed", data=changes, created_at=now))
    ticket.updated_at = now
    db.session.flush()
    # Built before commit: reading expired attributes afterwards would reload them and hold a read
    # snapshot open while the delivery job commits.
    payload = events.ticket_payload(ticket)
    message_id = message.id
    created = payload | {"message_id": message_id, "kind": message.kind, "author_id": author.id,
                        "delivery_state": message.delivery_state}
    updated = payload | {"changes": changes, "actor_id": author.id}
    prepared = handover.prepare(message, ticket) if target is not None else None
    commit_keeping_objects()  # the reply is returned (and shown) as stored: no read-back
    if target is not None and not _hand_over(handover, target, prepared, message_id):
        created["delivery_state"] = "queued"  # its job delivers it (the subscriber enqueues it)
    events.publish("message.created", created)
    events.publish("ticket.updated", updated)
    return message


def _hand_over(handover: Handover, target: object, prepared: object, message_id: int) -> bool:
    """Push a committed reply; on failure put it back in the outbox. Whether it was pushed."""
    try:
        handover.push(target, prepared)
        return True
    except Exception:  # noqa: BLE001 - the reply is stored; the outbox delivers it instead
        log.exception("reply %s: hand-over failed; left to the outbox", message_id)
    begin_write()
    db.session.execute(update(Message).where(Message.id == message_id)
                       .values(delivery_state="queued", delivery_attempts=0, next_attempt_at=utcnow()))
    db.session.commit()
    return False


def _recipient(ticket: Ticket, what):
    """`what` (Identity or one of its columns) of `recipient(ticket)`, or None."""
    found = db.session.scalar(
        select(what).join(Message, Message.identity_id == Identity.id)
        .where(Message.ticket_id == ticket.id, Message.kind == "inbound", Identity.customer_id == ticket.customer_id)
        .order_by(Message.id.desc()).limit(1)
    )
    return found if found is not None else db.session.scalar(
        select(what).where(Identity.customer_id == ticket.customer_id).order_by(Identity.id).limit(1)
    )


def recipient(ticket: Ticket) -> Identity | None:
    """Who an outbound reply goes to: the identity the customer last wrote from on this channel."""
    return _recipient(ticket, Identity)


def recipient_kind(ticket: Ticket) -> str | None:
    """The kind of `recipient(ticket)` ("email", "webchat"...), read as a column: no ORM object."""
    return _recipient(ticket, Identity.kind)


def reply_all_copies(ticket: Ticket) -> list[dict]:
    """[{"name", "address"}] a reply to all on `ticket` copies besides its recipient."""
    to = recipient(ticket)
    return copies.reply_all_cc(ticket, to.address if to is not None else None)


def _outbound(message: Message, ticket: Ticket, recipient: Identity, *, mark: bool = True) -> OutboundMessage:
    refs = tuple(db.session.scalars(
        select(Message.external_id).where(Message.ticket_id == ticket.id, Message.external_id.is_not(None),
                                          Message.id < message.id).order_by(Message.id)
    ))
    files = tuple(
        OutgoingFile(filename=a.filename, content=path_for(a.storage_key).read_bytes(), content_type=a.content_type)
        for a in message.attachments
    )
    # An automatic message answers the customer's (an acknowledgement) unless it is a survey.
    fields = {"subject": f"Re: {ticket.subject}", "auto_submitted": AUTO_REPLIED if message.is_automated else None}
    fields |= survey_outbound.extras(message, ticket)  # a survey's own
    return OutboundMessage(
        message_id=message.id, channel=ticket.channel, source=ticket.source,
        # A live push holds its claim uncommitted (row-locked): nothing to mark on another connection.
        delivery_key=delivery_key(message), handing_over=functools.partial(_handing_over, message.id) if mark else None,
        recipient=Sender(kind=recipient.kind, address=recipient.address, name=ticket.customer.name),
        body_text=message.body_text, thread_key=ticket.thread_key,
        in_reply_to=refs[-20:], ticket_number=ticket.number, attachments=files,
        cc=tuple(Sender(kind="email", address=p["address"], name=p.get("name")) for p in message.cc), **fields,
    )


def delivery_key(message: Message) -> str:
    """The same for every attempt to deliver `message`, and for no other message (ids alone repeat
    across databases): the e-mail channel makes the Message-ID from it, so a receiving server can
    drop a second copy."""
    digest = hashlib.sha256(f"{message.id}:{message.created_at.isoformat()}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:16]


def _handing_over(message_id: int, provider_id: str) -> None:
    """The adapter is about to let the provider have the message (SMTP: the end of DATA): record
    its provider id on the claimed row, committed on a connection of its own (the attempt's session
    keeps its snapshot), so that after a crash the sweeper knows this attempt may have arrived."""
    with db.engine.begin() as connection:
        connection.execute(update(Message).where(Message.id == message_id, Message.delivery_state == "sending")
                           .values(provider_id=provider_id))


def _claim(message_id: int, *, commit: bool = True) -> bool:
    """Mark the message `sending` unless another worker already did (or it is done). Its provider id
    is cleared: set again at the hand-over, it says this attempt may have reached the provider."""
    result = db.session.execute(
        update(Message).where(Message.id == message_id, Message.delivery_state == "queued")
        .values(delivery_state="sending", delivery_attempts=Message.delivery_attempts + 1, next_attempt_at=utcnow(),
                provider_id=None)
    )
    if commit:
        db.session.commit()
    return result.rowcount == 1


def _finish(message: Message, state: str, *, error: str | None = None, provider_id: str | None = None,
            retry_in: int | None = None, claimed: bool = False, to: Identity | None = None) -> DeliveryOutcome:
    if not claimed:  # the claim's transaction, still open, already holds the write lock
        begin_write()  # the attempt read in a read transaction: take the write lock before writing (see add_reply)
    if to is not None:  # delivered: record to whom, beside whom it copied
        message.recipients = {"to": [{"name": message_ticket(message).customer.name, "address": to.address}],
                              "cc": message.cc}
    message.delivery_state = state
    message.delivery_error = error[:1000] if error else None
    message.provider_id = provider_id or message.provider_id
    message.next_attempt_at = utcnow() + timedelta(seconds=retry_in) if retry_in else None
    payload = events.ticket_payload(message_ticket(message)) | {
        "message_id": message.id, "delivery_state": state, "delivery_error": message.delivery_error}
    db.session.commit()
    events.publish("message.updated", payload)
    return DeliveryOutcome(state, retry_in)


def message_ticket(message: Message) -> Ticket:
    """The ticket a message is on."""
    return db.session.get(Ticket, message.ticket_id)


def deliver(message_id: int, *, live: bool = False) -> DeliveryOutcome:
    """One delivery attempt of a queued outbound message through its channel adapter.

    `live`: the send is a push to an open chat widget, which does not wait on anyone, so the claim
    commits together with the outcome (one write transaction instead of two; the row stays locked
    only for the push). If anything fails the claim is rolled back with it and the message stays
    queued for its job."""
    if not _claim(message_id, commit=not live):
        if live:
            db.session.rollback()
        message = db.session.get(Message, message_id, populate_existing=True)
        return DeliveryOutcome(message.delivery_state if message else "missing")
    # Read again even when the session holds it: the claim changed the row behind the ORM's back.
    message = db.session.get(Message, message_id, populate_existing=True)
    ticket = message_ticket(message)
    finish = functools.partial(_finish, message, claimed=live)
    to = recipient(ticket)
    if to is None:
        return finish("failed", error="the customer has no address to reply to")
    try:
        adapter = (SimulatedChannel() if channel_accounts.is_demo_source(ticket.source)
                   else channels.get_channel(ticket.channel, channel_accounts.adapter_settings(ticket.source)))
        receipt = adapter.send(_outbound(message, ticket, to, mark=not live))
    except (KeyError, SecretUnreadable) as exc:
        return finish("failed", error=str(exc))
    except DeliveryError as exc:
        if exc.retryable and message.delivery_attempts < MAX_ATTEMPTS:
            # Never sooner than the provider asked (a rate limit's retry_after): it would refuse again.
            wait = max(backoff_seconds(message.delivery_attempts), exc.retry_after or 0)
            return finish("queued", error=exc.reason, retry_in=wait)
        return finish("failed", error=exc.reason)
    return finish(receipt.state, provider_id=receipt.provider_id, to=to)


def retry(message: Message, actor: User) -> Message:
    """Put a failed outbound message back in the outbox (the agent pressed "retry")."""
    if message.kind != "outbound" or message.delivery_state != "failed":
        raise ReplyError("message", _("only a failed outbound message can be retried"))
    message.delivery_state = "queued"
    message.delivery_attempts = 0
    message.next_attempt_at = utcnow()
    payload = events.ticket_payload(message_ticket(message)) | {
        "message_id": message.id, "delivery_state": "queued", "requeue": True, "actor_id": actor.id}
    db.session.commit()
    events.publish("message.updated", payload)
    return message


def stuck_messages(stuck_seconds: int) -> list[int]:
    """Outbound messages to enqueue again: `queued` ones overdue by `stuck_seconds` (their job was
    lost) and `sending` ones claimed longer ago than that (their worker died mid-send; they are put
    back to `queued` so the next attempt can claim them)."""
    stale = utcnow() - timedelta(seconds=stuck_seconds)
    overdue = or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= stale)
    rows = db.session.execute(
        select(Message.id, Message.delivery_state, Message.provider_id)
        .where(Message.delivery_state.in_(("queued", "sending")), overdue).order_by(Message.id)
    ).all()
    ids = [row.id for row in rows]
    for row in rows:
        if row.delivery_state == "sending" and row.provider_id:
            # Its worker died after handing it over and before recording the answer: the provider
            # may have it. Sent again (at least once) under the same id, which lets the receiver drop it.
            log.warning("outbound message %s may have been delivered before a crash; sending it again as %s",
                        row.id, row.provider_id)
    if ids:
        db.session.execute(
            update(Message).where(Message.id.in_(ids), Message.delivery_state == "sending")
            .values(delivery_state="queued")
        )
    db.session.commit()
    return ids


def mark_bounced(provider_id: str, reason: str) -> int | None:
    """A delivery report says the outbound message with `provider_id` did not arrive: mark it
    failed with the report's reason (the agent sees it and can retry). Returns its id, if known."""
    message = db.session.scalar(select(Message).where(Message.provider_id == provider_id, Message.kind == "outbound"))
    if message is None:
        return None
    message.delivery_state = "failed"
    message.delivery_error = reason[:1000]
    message.next_attempt_at = None
    payload = events.ticket_payload(message_ticket(message)) | {
        "message_id": message.id, "delivery_state": "failed", "delivery_error": message.delivery_error}
    db.session.commit()
    events.publish("message.updated", payload)
    return message.id


_messages, _tickets = Message.__table__, Ticket.__table__
# Prebuilt: an acknowledgement is staged in the ingest transaction of every new ticket.
_RECENT_AUTO_REPLIES = (select(func.count()).select_from(_messages.join(_tickets, _tickets.c.id == _messages.c.ticket_id))
                        .where(_tickets.c.customer_id == bindparam("customer_id"), _messages.c.kind == "outbound",
                               _messages.c.is_automated.is_(True), _messages.c.created_at >= bindparam("since")))
_INSERT_MESSAGE = _messages.insert()


def stage_auto_reply(ticket, *, source: str | None, body: str, cap_per_hour: int, now) -> int | None:
    """Inside the caller's write transaction: queue an automatic answer on `ticket` (a Ticket or an
    ingest TicketRow; no author, marked auto-submitted) for the outbox, unless its customer already
    got `cap_per_hour` automatic answers in the last hour (two auto-responders must never talk to
    each other for ever). Returns the new message's id, or None when capped. The caller commits and
    then publishes `message.created` (see `auto_reply_payload`)."""
    connection = db.session.connection()
    recent = connection.execute(_RECENT_AUTO_REPLIES, {"customer_id": ticket.customer_id,
                                                       "since": now - timedelta(hours=1)}).scalar()
    if recent >= cap_per_hour:
        return None
    return connection.execute(_INSERT_MESSAGE, {
        "ticket_id": ticket.id, "kind": "outbound", "channel": ticket.channel, "source": source,
        "body_text": body[:BODY_MAX], "is_automated": True, "created_at": now, "delivery_state": "queued",
        "next_attempt_at": now}).inserted_primary_key[0]


def auto_reply_payload(ticket_payload: dict, message_id: int) -> dict:
    """The `message.created` payload of an automatic answer staged with `stage_auto_reply`."""
    return ticket_payload | {"message_id": message_id, "kind": "outbound", "author_id": None, "automated": True}


def add_auto_reply(ticket: Ticket, *, body: str, cap_per_hour: int) -> int | None:
    """`stage_auto_reply` in a write transaction of its own; commits and publishes. The new
    message's id, or None when capped."""
    begin_write()
    payload = events.ticket_payload(ticket)
    message_id = stage_auto_reply(ticket, source=ticket.source, body=body, cap_per_hour=cap_per_hour, now=utcnow())
    db.session.commit()
    if message_id is not None:
        events.publish("message.created", auto_reply_payload(payload, message_id))
    return message_id


def stage_automated(ticket: Ticket, body: str) -> tuple[Message, dict]:
    """Add (flushed, not committed) an automatic outbound message on `ticket`, queued for the
    outbox; returns it and the `message.created` payload the caller publishes after its commit."""
    now = utcnow()
    message = Message(ticket_id=ticket.id, kind="outbound", channel=ticket.channel, source=ticket.source,
                      body_text=body[:BODY_MAX], is_automated=True, created_at=now, delivery_state="queued",
                      next_attempt_at=now)
    db.session.add(message)
    db.session.flush()
    return message, events.ticket_payload(ticket) | {"message_id": message.id, "kind": "outbound", "author_id": None}
