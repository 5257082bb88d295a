"""What the Telegram channel does with one update, around the one `ingest()`.

Before: files are downloaded (getFile) and attached, the bot's group is hinted, and the chat's
thread is chosen (see `_thread_key`: whether a solved ticket is reopened or a new one started
is the bot's `reopen_solved` setting). After the commit: the customer's username and language
are remembered, an edit is recorded as an edit, and /start is greeted through the outbox.

Edits: an edited message is stored as a new inbound message (external id
"<chat>:<message>:edit:<date>") on the chat's ticket, and a `message_edited` ticket event
links it to the original (data: message_id, original_message_id, original_external_id), so the
conversation keeps both texts and the timeline says which one replaced which.

Every step after the commit is idempotent and also runs for a re-delivered (duplicate) update,
so a crash between the commit and those steps is healed by Telegram's re-delivery.
"""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass, replace

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from telegram import Update

from channels.base import Attachment, InboundMessage
from channels.telegram.client import BotClient, TelegramApiError
from channels.telegram.parser import FileRef, TelegramUpdate, UnreadableUpdate, parse_update, read_update
from helpdesk.extensions import db
from helpdesk.models import ChannelAccount, Customer, Group, Identity, Message, Ticket, TicketEvent
from helpdesk.models.base import utcnow
from helpdesk.services import customers, replies
from helpdesk.services.channel_accounts import account_secrets
from helpdesk.services.ingest import ingest
from helpdesk.services.surveys import answers as survey_answers
from helpdesk.services.surveys import outbound as survey_outbound
from helpdesk.services.telegram.bots import DEFAULT_GREETING, KIND, bot_client

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UpdateOutcome:
    """What became of one update: the ticket it joined or opened, or why there is none."""

    update_id: int | None
    ticket_id: int | None = None
    duplicate: bool = False
    created: bool = False
    skipped: str | None = None


def receive_update(account: ChannelAccount, update: Update, bot: BotClient) -> UpdateOutcome:
    """Store `update` (received by bot `account`) where it belongs; commits. `bot` downloads
    its files. A retryable TelegramApiError (a file could not be fetched for now) leaves
    nothing stored: the update must be received again."""
    try:
        parsed = parse_update(update, source=account.source)
    except UnreadableUpdate as exc:
        return _unreadable(account, update.update_id, exc)
    if parsed is None:
        return UpdateOutcome(update.update_id, skipped="not a customer message")
    if parsed.callback is not None and survey_outbound.is_chat_reply(parsed.callback[1]):
        return _survey_rating(parsed, bot)
    message = parsed.message
    already = db.session.scalar(select(Message.id).where(Message.source == message.source,
                                                         Message.external_id == message.external_id))
    if already is None:
        message = _with_files(message, parsed.files, bot)
    # The chat alone says which ticket a message joins. References (a reply to or an edit of an
    # earlier message) are not followed: ingest looks them up across every source, and Telegram
    # message ids are unique only per chat and bot, so two bots' chats with one user would mix.
    message = replace(message, group_hint=_group_name(account), thread_refs=(),
                      thread_key=_thread_key(account, message.thread_key))
    result = ingest(message, raw=json.dumps(update.to_dict(), ensure_ascii=False).encode())
    if result is None:
        return UpdateOutcome(parsed.update_id, skipped="no ticket to join")
    _after_commit(account, parsed, result.message_id, result.ticket_id)
    return UpdateOutcome(parsed.update_id, result.ticket_id, result.duplicate, result.created_ticket)


def _unreadable(account: ChannelAccount, update_id: object, exc: UnreadableUpdate) -> UpdateOutcome:
    log.warning("telegram bot %s: update %s skipped: %s", account.id, update_id, exc)
    return UpdateOutcome(update_id if isinstance(update_id, int) else None, skipped=f"unreadable: {exc}")


def _survey_rating(parsed: TelegramUpdate, bot: BotClient) -> UpdateOutcome:
    """A survey button pressed: record the score (not a message on the ticket, which would reopen
    it) and answer the press with what became of it. A press whose answer fails to reach Telegram
    is still recorded: the spinner just runs out on the customer's side."""
    query_id, data = parsed.callback
    outcome = survey_answers.answer_from_chat(data, "telegram", parsed.message.sender.address)
    try:
        bot.answer_callback_query(query_id, outcome.text)
    except TelegramApiError as exc:
        log.info("telegram: survey button press not acknowledged: %s", exc.reason)
    return UpdateOutcome(parsed.update_id, skipped="survey rating" if outcome.recorded else "stale survey button")


def _with_files(message: InboundMessage, files: tuple[FileRef, ...], bot: BotClient) -> InboundMessage:
    """`message` with its files downloaded; a file Telegram will never give us (too large, gone)
    is named in the text instead, so the agent knows it was sent."""
    limit = current_app.config["HELPDESK_MAX_ATTACHMENT_BYTES"]
    attached, missing = [], []
    for ref in files:
        if ref.size is not None and ref.size > limit:
            missing.append(f"[{ref.filename} was not downloaded: larger than {limit} bytes]")
            continue
        try:
            content = bot.download(ref.file_id, max_bytes=limit)
        except TelegramApiError as exc:
            if exc.retryable:
                raise
            log.warning("telegram message %s: file %s not downloaded: %s", message.external_id, ref.filename, exc.reason)
            missing.append(f"[{ref.filename} was not downloaded: {exc.reason}]")
            continue
        attached.append(Attachment(filename=ref.filename, content=content, content_type=ref.content_type))
    body = "\n".join([message.body_text, *missing]) if missing else message.body_text
    return replace(message, attachments=tuple(attached), body_text=body)


def _group_name(account: ChannelAccount) -> str | None:
    group = db.session.get(Group, account.group_id) if account.group_id is not None else None
    return group.name if group else None


def _chat_tickets(source: str, chat_key: str):
    return (select(Ticket).where(Ticket.source == source, Ticket.merged_into_id.is_(None), Ticket.status != "closed",
                                 or_(Ticket.thread_key == chat_key, Ticket.thread_key.like(f"{chat_key}/%")))
            .order_by(Ticket.id.desc()).limit(1))


def _thread_key(account: ChannelAccount, chat_key: str | None) -> str | None:
    """The thread key under which the chat's next message is ingested. A chat is one thread
    ("chat:<id>") until its ticket is solved; then, unless the bot reopens solved tickets, the
    chat goes on under "chat:<id>/<solved ticket id>", which starts the next ticket."""
    if chat_key is None:
        return None
    latest = db.session.scalar(_chat_tickets(account.source, chat_key))
    if latest is None:
        return chat_key
    if latest.status == "solved" and not account.settings.get("reopen_solved", True):
        return f"{chat_key}/{latest.id}"
    return latest.thread_key


def _after_commit(account: ChannelAccount, parsed: TelegramUpdate, message_id: int, ticket_id: int) -> None:
    stored = db.session.get(Message, message_id)
    identity = db.session.get(Identity, stored.identity_id) if stored and stored.identity_id else None
    if identity is not None:
        _remember(identity, parsed.username, parsed.language)
        if parsed.own_phone:
            _add_phone(identity.customer, parsed.own_phone)
    if parsed.edit_of is not None:
        _record_edit(ticket_id, message_id, account.source, parsed.edit_of)
    if parsed.command == "start":
        _greet(account, ticket_id, message_id)


def _remember(identity: Identity, username: str | None, language: str | None) -> None:
    """Keep the customer's Telegram username (a line in their notes, once per username) and
    language (when none is set yet). Commits when something changed."""
    customer = identity.customer
    changed = False
    line = f"Telegram @{username} (user {identity.address})" if username else None
    if line and line not in (customer.notes or ""):
        customer.notes = "\n".join(filter(None, [customer.notes, line]))[: customers.NOTES_MAX]
        changed = True
    if language and customer.language is None:
        try:
            customer.language = customers.clean_profile({"language": language})["language"]
            changed = True
        except customers.CustomerError:
            pass
    if changed:
        db.session.commit()


def _add_phone(customer: Customer, phone: str) -> None:
    """The customer's own phone number (shared as their contact) becomes a `phone` identity, so
    the same person on WhatsApp or the phone is suggested as a duplicate; unless another customer
    has it already (then the duplicate suggestion comes from there). Commits."""
    if customers.find_identity("phone", phone) is None:
        try:
            customers.add_identity(customer, "phone", phone)
            db.session.commit()
        except IntegrityError:  # added concurrently by someone else
            db.session.rollback()


def _record_edit(ticket_id: int, message_id: int, source: str, original_external_id: str) -> None:
    """A `message_edited` event naming the edit and the message it changes, once."""
    events = db.session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id,
                                                          TicketEvent.kind == "message_edited"))
    if any((e.data or {}).get("message_id") == message_id for e in events):
        return
    original = db.session.scalar(select(Message.id).where(Message.source == source,
                                                          Message.external_id == original_external_id))
    db.session.add(TicketEvent(ticket_id=ticket_id, kind="message_edited", created_at=utcnow(),
                               data={"message_id": message_id, "original_message_id": original,
                                     "original_external_id": original_external_id}))
    db.session.commit()


def _greet(account: ChannelAccount, ticket_id: int, start_message_id: int) -> None:
    """Answer /start with the bot's greeting through the outbox, once per /start."""
    answered = db.session.scalar(select(Message.id).where(
        Message.ticket_id == ticket_id, Message.kind == "outbound", Message.is_automated,
        Message.id > start_message_id).limit(1))
    if answered is not None:
        return
    ticket = db.session.get(Ticket, ticket_id)
    replies.add_auto_reply(ticket, body=account.settings.get("greeting") or DEFAULT_GREETING,
                           cap_per_hour=current_app.config["HELPDESK_AUTO_REPLIES_PER_HOUR"])


class WebhookRefused(Exception):
    """A webhook call that is not from Telegram for one of our bots; `status` is the answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def receive_webhook(account_id: int, secret_token: str | None, update: object) -> UpdateOutcome:
    """Store an update POSTed for bot `account_id` after checking, in constant time, the secret
    token Telegram sends with it; commits. WebhookRefused (404 unknown bot, 403 wrong secret)
    before anything is read or stored."""
    account = db.session.get(ChannelAccount, account_id)
    if account is None or account.kind != KIND or not account.active:
        raise WebhookRefused(404, "no such bot")
    expected = account_secrets(account).get("webhook_secret") or ""
    if not expected or not hmac.compare_digest((secret_token or "").encode(), expected.encode()):
        raise WebhookRefused(403, "wrong or missing secret token")
    if not isinstance(update, dict):
        raise WebhookRefused(400, "the body is not a Telegram update")
    try:
        read = read_update(update)
    except UnreadableUpdate as exc:
        return _unreadable(account, update.get("update_id"), exc)
    with bot_client(account) as bot:
        return receive_update(account, read, bot)
