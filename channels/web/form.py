"""Turn a web-form or API submission into an `InboundMessage`, and answer it by e-mail."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from channels.base import DeliveryError, DeliveryReceipt, InboundMessage, OutboundMessage, Sender
from channels.email.smtp import SmtpChannel, SmtpSettings

CHANNEL = "web"


@dataclass(frozen=True)
class FormSubmission:
    """What the contact form (or API caller) sends: already validated for size and shape."""

    email: str
    body: str
    subject: str | None = None
    name: str | None = None
    group: str | None = None
    submission_id: str | None = None  # the caller's idempotency key, if it has one


def to_inbound(submission: FormSubmission, *, source: str = "web", channel: str = CHANNEL) -> InboundMessage:
    """Normalise a form submission (`channel`: where the customer reached us, for a ticket an agent
    opens on their behalf: web, phone or email). Without an idempotency key each submission is new."""
    return InboundMessage(
        channel=channel,
        source=source,
        external_id=submission.submission_id or f"form-{uuid.uuid4()}",
        sender=Sender(kind="email", address=submission.email.strip().lower(), name=submission.name),
        subject=submission.subject,
        body_text=submission.body,
        group_hint=submission.group,
    )


class WebChannel:
    """Replies to web-form tickets go to the customer's e-mail address."""

    name = CHANNEL

    def __init__(self, smtp: SmtpSettings | None) -> None:
        self.smtp = smtp

    def send(self, message: OutboundMessage) -> DeliveryReceipt:
        """Deliver the reply by e-mail; without outgoing mail configured it fails permanently."""
        if self.smtp is None:
            raise DeliveryError("no outgoing mail server is configured (HELPDESK_SMTP_URL)", retryable=False)
        if message.recipient.kind != "email":
            raise DeliveryError(f"cannot e-mail a {message.recipient.kind} identity", retryable=False)
        return SmtpChannel(self.smtp).send(replace(message, channel="email"))
