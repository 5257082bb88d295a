"""The contract between channel adapters and the helpdesk core.

An adapter turns whatever a provider delivers into one `InboundMessage` and turns an
`OutboundMessage` into a provider call that yields a `DeliveryReceipt`. Adapters never touch
the helpdesk database; the ingestion and reply services never parse provider formats.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

IDENTITY_KINDS = ("email", "telegram", "whatsapp", "webchat", "phone", "messenger")
AUTO_REPLIED = "auto-replied"
AUTO_GENERATED = "auto-generated"
AUTO_SUBMITTED_KINDS = (AUTO_REPLIED, AUTO_GENERATED)


@dataclass(frozen=True)
class Attachment:
    """A file that arrived with a message or leaves with a reply."""

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"
    content_id: str | None = None  # for inline (cid:) images


@dataclass(frozen=True)
class Sender:
    """Who wrote an inbound message: one identity of one customer."""

    kind: str  # one of IDENTITY_KINDS
    address: str  # e-mail address, telegram user id, phone number, visitor id
    name: str | None = None


@dataclass(frozen=True)
class RecipientStatus:
    """What a delivery report says about one recipient of the message it reports on."""

    address: str
    action: str  # RFC 3464: failed | delayed | delivered | relayed | expanded
    status: str | None = None  # RFC 3463 enhanced code such as "5.1.1"
    diagnostic: str | None = None  # the remote server's words, e.g. "smtp; 550 5.1.1 no such user"


@dataclass(frozen=True)
class DeliveryReport:
    """A bounce or delay notice about a message we sent (e-mail DSN or a provider's equivalent).

    `original_id` is the external id of the message it reports on (our outbound Message-ID) when
    the report names it.
    """

    original_id: str | None
    recipients: tuple[RecipientStatus, ...] = ()

    @property
    def failed(self) -> bool:
        """True when delivery failed for good for at least one recipient (not merely delayed)."""
        return any(item.action == "failed" for item in self.recipients)


@dataclass(frozen=True)
class DeliveryStatus:
    """A provider's callback about one message we sent, identified by the provider's id for it.

    `state` is one of sent | delivered | read | failed (the outbound delivery states a provider can
    report); `error` says why, when it failed. Callbacks come out of order and more than once.
    """

    provider_id: str
    state: str
    at: datetime | None = None
    recipient: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class InboundMessage:
    """One message from a customer, normalised by its channel adapter.

    `source` names the channel account it arrived through (a mailbox, a bot, a widget key) and
    together with `external_id` makes the message unique: ingesting it twice is harmless.
    `thread_key` is the channel's own conversation key (a Telegram chat, a chat session);
    `thread_refs` are external ids this message answers (e-mail In-Reply-To/References);
    `ticket_hint` is a ticket number the customer quoted (a `[#123]` subject tag), honoured only
    when the sender already takes part in that ticket.
    `participants` are other people the message was addressed to (e-mail Cc and extra To): recorded,
    not made customers. `quoted_from` and `signature_from` are offsets into `body_text` where quoted
    history and the signature start, so a console can fold them; the text itself stays whole.
    `report` is set when the message is a delivery report about something we sent.
    `system_sender` marks mail from mailer-daemon/postmaster/noreply-style addresses, which never
    starts a ticket.
    `to` and `cc` are the message's To and Cc recipients as its headers list them (ours included).
    `priority_hint` is "high" when the sender marked the message urgent or important (e-mail's
    X-Priority, Importance, Priority headers); it weighs only on a new ticket.
    """

    channel: str
    source: str
    external_id: str
    sender: Sender
    body_text: str
    subject: str | None = None
    body_html: str | None = None
    received_at: datetime | None = None
    thread_key: str | None = None
    thread_refs: tuple[str, ...] = ()
    ticket_hint: int | None = None
    group_hint: str | None = None
    attachments: tuple[Attachment, ...] = ()
    is_automated: bool = False  # auto-replies and bulk mail: stored, never answered
    metadata: dict[str, str] = field(default_factory=dict)
    participants: tuple[Sender, ...] = ()
    quoted_from: int | None = None
    signature_from: int | None = None
    report: DeliveryReport | None = None
    system_sender: bool = False
    priority_hint: str | None = None
    to: tuple[Sender, ...] = ()
    cc: tuple[Sender, ...] = ()


@dataclass(frozen=True)
class Choice:
    """One answer button offered with a message (a survey's scores): the label the customer sees
    and the opaque `reply` the channel hands back when it is pressed (at most 64 bytes)."""

    label: str
    reply: str


@dataclass(frozen=True)
class OutboundMessage:
    """One agent reply handed to a channel adapter for delivery."""

    message_id: int  # our own id: adapters use it as the idempotency key where possible
    channel: str
    source: str | None
    recipient: Sender
    body_text: str
    body_html: str | None = None
    subject: str | None = None
    thread_key: str | None = None
    in_reply_to: tuple[str, ...] = ()
    ticket_number: int | None = None
    attachments: tuple[Attachment, ...] = ()
    cc: tuple[Sender, ...] = ()  # copied people (an agent's "reply to all"); channels without copies ignore it
    # RFC 3834: None for a person's reply; AUTO_REPLIED for an automatic answer to a message (an
    # acknowledgement), AUTO_GENERATED for an automatic message that answers none (a survey). Marked
    # so, it is never answered back.
    auto_submitted: str | None = None
    # Buttons for channels that can show them (Telegram, WhatsApp); the others send the text alone,
    # which then must make sense without them (a survey's text carries its link).
    choices: tuple[Choice, ...] = ()
    # The same on every attempt to deliver this message: adapters build the provider-side id from it
    # where they choose one (e-mail: the Message-ID), so a receiver can drop a second copy.
    delivery_key: str | None = None
    # Called with the provider-side id right before the provider may have the message (SMTP: before
    # the end of DATA), by adapters that can tell; the outbox records it, so after a crash it knows
    # that this attempt may have been delivered. An exception from it aborts the attempt, retryably.
    handing_over: Callable[[str], None] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class DeliveryReceipt:
    """What the provider said when it accepted a message.

    `state` is "sent" unless the channel knows the recipient already has the message ("delivered",
    as when the web chat emits a reply to a connected visitor).
    """

    provider_id: str
    state: str = "sent"


class DeliveryError(Exception):
    """A send failed. `retryable` tells the outbox whether trying again can help; `retry_after`
    is the provider's own wait in seconds before that (a rate limit), when it gave one."""

    def __init__(self, reason: str, *, retryable: bool, retry_after: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


@runtime_checkable
class Channel(Protocol):
    """What every channel adapter offers the helpdesk."""

    name: str

    def send(self, message: OutboundMessage) -> DeliveryReceipt:
        """Deliver `message`; raise `DeliveryError` when it cannot be delivered."""
        ...
