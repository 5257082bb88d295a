"""Taking in what a Meta webhook (WhatsApp, Messenger) delivers, the parts both channels share:
skipping re-deliveries before any download, attaching a customer's file, ingesting, applying
delivery statuses. Each step commits; an exception means "deliver again" to the webhook.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace

from flask import current_app
from sqlalchemy import select

from channels.base import Attachment, DeliveryError, DeliveryStatus, InboundMessage
from helpdesk.extensions import db
from helpdesk.models import ChannelAccount, Message
from helpdesk.services import delivery_status
from helpdesk.services.ingest import ingest
from helpdesk.services.meta import accounts as meta_accounts
from helpdesk.services.meta.accounts import WebhookReport

log = logging.getLogger(__name__)
# fetch(max_bytes) -> the file; raises DeliveryError (retryable or not)
Fetch = Callable[[int], Attachment]


def route(account: ChannelAccount, key: str, value: str, report: WebhookReport) -> ChannelAccount | None:
    """The account a part of a webhook delivery about `key` = `value` (a phone number id, a Page id)
    belongs to (see meta_accounts.route); None, counted as ignored, when it is no account of ours."""
    target = meta_accounts.route(account, key, value)
    if target is None:
        log.warning("%s webhook of account %s carried %s %s, which no account of its app has", account.kind,
                    account.id, key, value)
        report.ignored += 1
    return target


def already_stored(message: InboundMessage) -> bool:
    """True when a message with this source and external id was ingested before."""
    found = db.session.scalar(select(Message.id).where(Message.source == message.source,
                                                       Message.external_id == message.external_id))
    db.session.commit()  # end the read transaction: ingest starts its own write
    return found is not None


def take_message(account: ChannelAccount, message: InboundMessage, report: WebhookReport,
                 files: Iterable[tuple[str, Fetch]] = ()) -> None:
    """Ingest `message` (with the files `files` names and fetches) into `account`'s group unless it
    is already stored; counts what happened in `report`. Automated messages (reactions, notices)
    only join a conversation under way: they never open a ticket."""
    if already_stored(message):
        report.duplicates += 1  # re-delivered: not even its files are fetched again
        return
    for name, fetch in files:
        message = with_file(message, name, fetch)
    result = ingest(replace(message, group_hint=meta_accounts.group_name(account)),
                    allow_new_ticket=not message.is_automated)
    if result is None:
        report.ignored += 1
    elif result.duplicate:
        report.duplicates += 1
    else:
        report.stored += 1


def with_file(message: InboundMessage, name: str, fetch: Fetch) -> InboundMessage:
    """`message` with the file `fetch` downloads attached. A file that can never be fetched
    (expired, too large) is named in the text instead; a transient failure raises, so that Meta
    delivers the webhook again."""
    try:
        file = fetch(current_app.config["HELPDESK_MAX_ATTACHMENT_BYTES"])
    except DeliveryError as exc:
        if exc.retryable:
            raise
        log.warning("%s message %s: file %s not downloaded: %s", message.channel, message.external_id, name, exc.reason)
        note = f"[{name} could not be downloaded: {exc.reason}]"
        return replace(message, body_text=f"{message.body_text}\n{note}".strip())
    return replace(message, attachments=(*message.attachments, file))


def apply_statuses(source: str, statuses: Iterable[DeliveryStatus], report: WebhookReport) -> None:
    """Apply each status to the reply it reports on; those that overtook their send's receipt go
    to `report.pending`."""
    for status in statuses:
        outcome = delivery_status.apply(source, status)
        report.statuses += outcome == "applied"
        if outcome == "pending":
            report.pending.append((source, status))
