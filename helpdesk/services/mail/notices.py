"""Plain automatic e-mails that belong to no ticket (a chat visitor's address confirmation, a
staff invitation or password reset), sent through the default outgoing server."""

from __future__ import annotations

import channels
from channels.base import AUTO_GENERATED, DeliveryError, OutboundMessage, Sender
from helpdesk.services.mail import mailboxes


def send_notice(address: str, subject: str, body: str) -> str:
    """Send one `Auto-Submitted: auto-generated` text mail; the provider's id, or "not sent: why"
    for a permanent refusal. A temporary failure raises DeliveryError (the job retries it)."""
    mailer = channels.get_channel("email", {"smtp": mailboxes.outgoing_smtp(None)})
    message = OutboundMessage(message_id=0, channel="email", source=None, recipient=Sender(kind="email", address=address),
                              body_text=body, subject=subject, auto_submitted=AUTO_GENERATED)
    try:
        return mailer.send(message).provider_id
    except DeliveryError as exc:
        if exc.retryable:
            raise
        return f"not sent: {exc.reason}"
