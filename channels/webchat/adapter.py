"""Visitor messages in and agent replies out for the web chat widget.

The adapter knows nothing of sockets or the database: the application hands it `push`, which
emits a reply to the visitor's open widget and says whether one was connected, and optionally an
e-mail channel plus `email_of`, the verified address of a visitor, for visitors who left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from channels.base import Attachment, Channel, DeliveryError, DeliveryReceipt, InboundMessage, OutboundMessage, Sender

CHANNEL = "webchat"
TEXT_MAX = 5000
SUBJECT_MAX = 200


@dataclass(frozen=True)
class VisitorMessage:
    """What a visitor sent through the widget, already checked for size by the caller.

    `client_id` is the widget's own id for the message: a message sent again after a lost
    acknowledgement carries the same one, so it is stored once.
    """

    source: str  # "webchat:<widget account id>"
    visitor_id: str
    client_id: str
    text: str
    name: str | None = None
    subject: str | None = None
    group: str | None = None
    attachments: tuple[Attachment, ...] = ()


def to_inbound(message: VisitorMessage) -> InboundMessage:
    """The visitor's message for ingestion: one conversation (thread) per visitor and widget."""
    return InboundMessage(
        channel=CHANNEL, source=message.source, external_id=f"{message.visitor_id}:{message.client_id}",
        sender=Sender(kind=CHANNEL, address=message.visitor_id, name=message.name),
        body_text=message.text, subject=message.subject, thread_key=message.visitor_id,
        group_hint=message.group, attachments=message.attachments,
    )


class WebchatChannel:
    """Replies reach a connected visitor at once (delivered); a visitor who left gets them by
    e-mail when they confirmed an address, and otherwise when the widget next connects (sent)."""

    name = CHANNEL

    def __init__(self, push: Callable[[OutboundMessage], bool], email: Channel | None = None,
                 email_of: Callable[[str], str | None] | None = None) -> None:
        self.push = push
        self.email = email
        self.email_of = email_of

    def send(self, message: OutboundMessage) -> DeliveryReceipt:
        """Deliver `message` to the visitor (or their e-mail); DeliveryError when neither is possible."""
        if message.recipient.kind == "email":  # the visitor went on by e-mail: stay there
            return self._by_email(message, message.recipient.address)
        if message.recipient.kind != CHANNEL:
            raise DeliveryError(f"cannot reach a {message.recipient.kind} identity through the chat", retryable=False)
        if self.push(message):
            return DeliveryReceipt(provider_id=f"webchat-{message.message_id}", state="delivered")
        address = self.email_of(message.recipient.address) if self.email_of else None
        if address and self.email is not None:
            return self._by_email(message, address)
        return DeliveryReceipt(provider_id=f"webchat-{message.message_id}")

    def _by_email(self, message: OutboundMessage, address: str) -> DeliveryReceipt:
        if self.email is None:
            raise DeliveryError("no e-mail channel to continue the chat by e-mail", retryable=False)
        recipient = Sender(kind="email", address=address, name=message.recipient.name)
        return self.email.send(replace(message, channel="email", recipient=recipient))
