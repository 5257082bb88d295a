"""What a WhatsApp webhook delivers, taken in: customer messages (with their files downloaded)
through `ingest`, and delivery statuses onto the replies they report on.

Everything is committed before `receive` returns, so the webhook can answer 200 afterwards and
any failure (an exception) makes Meta deliver again; ingestion is idempotent on the wamid.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from channels.base import DeliveryError, DeliveryStatus, InboundMessage, Sender
from channels.whatsapp import parser
from channels.whatsapp.adapter import WhatsAppChannel
from channels.whatsapp.parser import ParsedMessage
from helpdesk.extensions import db
from helpdesk.models import ChannelAccount, Message
from helpdesk.services import customers, delivery_status, whatsapp_accounts
from helpdesk.services.ingest import ingest

log = logging.getLogger(__name__)


@dataclass
class WebhookReport:
    """What one webhook call did. `pending` are statuses that overtook their send's receipt, as
    (source, status) pairs the caller must keep and apply later."""

    stored: int = 0
    duplicates: int = 0
    statuses: int = 0
    ignored: int = 0
    pending: list[tuple[str, DeliveryStatus]] = field(default_factory=list)


def receive(account: ChannelAccount, payload: object) -> WebhookReport:
    """Ingest every message and apply every status of a verified webhook `payload` that arrived
    at `account`'s URL. Raises (after committing what was done) when something could not be taken
    in now but may be later, such as a file the Graph API would not hand out."""
    report = WebhookReport()
    for number, value in parser.changes(payload):
        target = whatsapp_accounts.account_for_number(account, number)
        if target is None:
            log.warning("WhatsApp webhook of account %s carried number %s, which no account of its app has",
                        account.id, number)
            report.ignored += 1
            continue
        change = parser.parse_change(value, target.source)
        report.ignored += change.skipped
        for parsed in change.messages:
            _take_message(target, parsed, report)
        for status in change.statuses:
            outcome = delivery_status.apply(target.source, status)
            report.statuses += outcome == "applied"
            if outcome == "pending":
                report.pending.append((target.source, status))
    return report


def _take_message(account: ChannelAccount, parsed: ParsedMessage, report: WebhookReport) -> None:
    message = parsed.message
    if _already_stored(message):
        report.duplicates += 1  # re-delivered: not even its file is fetched again
        return
    attach_to_phone_customer(message.sender)
    if parsed.media is not None:
        message = _with_file(whatsapp_accounts.channel(account), parsed)
    # Reactions and system notices only join a conversation that is under way; they never open one.
    result = ingest(replace(message, group_hint=whatsapp_accounts.group_name(account)),
                    allow_new_ticket=not message.is_automated)
    if result is None:
        report.ignored += 1
    elif result.duplicate:
        report.duplicates += 1
    else:
        report.stored += 1


def _already_stored(message: InboundMessage) -> bool:
    found = db.session.scalar(select(Message.id).where(Message.source == message.source,
                                                       Message.external_id == message.external_id))
    db.session.commit()  # end the read transaction: ingest starts its own write
    return found is not None


def _with_file(adapter: WhatsAppChannel, parsed: ParsedMessage) -> InboundMessage:
    """The message with its file attached. A file that can never be fetched (expired, too large)
    is named in the text instead; a transient failure raises, so that Meta delivers again."""
    assert parsed.media is not None
    try:
        file = adapter.fetch_media(parsed.media, current_app.config["HELPDESK_MAX_ATTACHMENT_BYTES"])
    except DeliveryError as exc:
        if exc.retryable:
            raise
        note = f"[{parsed.media.filename} could not be downloaded: {exc.reason}]"
        return replace(parsed.message, body_text=f"{parsed.message.body_text}\n{note}".strip())
    return replace(parsed.message, attachments=(file,))


def attach_to_phone_customer(sender: Sender) -> None:
    """One customer across channels: a WhatsApp number seen for the first time that a customer
    already has as their phone number joins that customer (WhatsApp has verified the number, so
    the sender owns it) instead of starting a new customer record. Commits when it links."""
    if customers.find_identity("whatsapp", sender.address) is not None:
        db.session.commit()
        return
    phone = customers.find_identity("phone", sender.address)
    if phone is None:
        db.session.commit()
        return
    customers.add_identity(phone.customer, "whatsapp", sender.address)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the identity was created concurrently: ingest will find it
