"""A customer's reply written in the portal: the customer's own message on the ticket, entered
through the one ingestion path (so SLA clocks, reopening, notifications and the live console treat
it like a mail or chat message from them)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from channels.base import Attachment as IncomingFile
from channels.base import InboundMessage, Sender
from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Customer, Identity, Message, Ticket
from helpdesk.services import ingest_rows
from helpdesk.services.ingest import IngestResult, ingest
from helpdesk.services.portal.tickets import NotAllowed

BODY_MAX = 20_000
CHANNEL = "portal"


def _sender(customer: Customer) -> Sender:
    """The customer's e-mail identity (how they signed in); else their first identity."""
    identity = db.session.scalar(select(Identity).where(Identity.customer_id == customer.id)
                                 .order_by((Identity.kind != "email"), Identity.id).limit(1))
    if identity is None:
        raise NotAllowed(_("Your account has no address we could answer; please write to us by e-mail."))
    return Sender(kind=identity.kind, address=identity.address, name=customer.name)


def _thread_ref(ticket: Ticket) -> str | None:
    """An id of one of the ticket's messages that leads ingestion back to this very ticket."""
    refs = db.session.execute(
        select(Message.external_id, Message.provider_id).where(Message.ticket_id == ticket.id)
        .order_by(Message.id.desc()).limit(20)).all()
    for external_id, provider_id in refs:
        for ref in (external_id, provider_id):
            if ref and ingest_rows.referenced_ticket_id([ref]) == ticket.id:
                return ref
    return None


def reply(customer: Customer, ticket: Ticket, text: str, files: tuple[IncomingFile, ...] = ()) -> IngestResult:
    """Add the customer's message `text` (with `files`) to `ticket`; commits through ingestion.
    NotAllowed for an empty or too long text or a closed ticket. Attachment limits are ingestion's
    (AttachmentTooLarge)."""
    body = (text or "").strip()
    if not body and not files:
        raise NotAllowed(_("Write a message or attach a file."))
    if len(body) > BODY_MAX:
        raise NotAllowed(_("A message may be at most %(max)s characters.", max=BODY_MAX))
    if ticket.status == "closed":
        raise NotAllowed(_("This request is closed for good; please start a new one."))
    sender = _sender(customer)
    ref = _thread_ref(ticket)
    message = InboundMessage(channel=CHANNEL, source=CHANNEL, external_id=f"portal-{uuid.uuid4().hex}", sender=sender,
                             body_text=body, subject=f"Re: {ticket.subject}", thread_refs=(ref,) if ref else (),
                             ticket_hint=None if ref else ticket.id, attachments=files)
    result = ingest(message)
    if result is None or result.ticket_id != ticket.id:  # cannot happen for a ticket the customer sees
        raise NotAllowed(_("Your message could not be added to this request."))
    return result
