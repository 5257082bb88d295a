"""What the e-mail channel does with one received message before and after `ingest()`.

Filters in the spirit of small, ordered checks: mail we sent coming back, delivery reports,
system senders and auto-replies may only join the ticket they belong to (never start one, never
get answered); everything else is ingested like any channel's message.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from email.parser import BytesHeaderParser
from email.policy import compat32
from string import Template

from flask import current_app

from channels.base import InboundMessage
from channels.email import message_ids
from channels.email.charsets import decode_words
from channels.email.parser import parse_email
from helpdesk.extensions import db
from helpdesk.i18n import in_language
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.models import Group, Mailbox
from helpdesk.services import replies
from helpdesk.services.ingest import Answer, IngestResult, Opened, ingest, ingest_many
from helpdesk.services.mail import mailboxes
from knowledge_base import languages

log = logging.getLogger(__name__)
# Written in the customer's language when it is known and the console speaks it, else the default;
# a mailbox's own template is sent as its admin wrote it.
DEFAULT_ACKNOWLEDGEMENT = _l("""Hello $name,

we received your request "$subject" and will answer as soon as we can.
Your ticket number is $number; please keep [#$number] in the subject when you write about it.
""")


class MailRejected(Exception):
    """A message we refuse to process (too large): it goes to the failed-mail store."""


@dataclass(frozen=True)
class MailOutcome:
    """What became of one message: the ticket it joined or opened, or why there is none."""

    ticket_id: int | None
    duplicate: bool = False
    created: bool = False
    reason: str | None = None


def peek_headers(raw: bytes) -> dict[str, str]:
    """Message-ID and Subject of a message that may be too broken to parse fully (for listings)."""
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw[:256 * 1024])
        return {name: decode_words(str(headers.get(name) or ""))[:998] for name in ("message-id", "subject")
                if headers.get(name)}
    except Exception:  # noqa: BLE001 - a listing must not fail on the mail it lists
        return {}


def _why_it_may_not_open_a_ticket(message: InboundMessage, context: Context) -> str | None:
    if message.sender.address in context.own_addresses:
        return "sent from one of our own addresses"
    if message_ids.verify(message.external_id, context.message_id_key) is not None:
        return "our own outbound message came back"
    if message.report is not None:
        return "delivery report"
    if message.system_sender:
        return "system sender (mailer-daemon, postmaster, no-reply)"
    return None


@dataclass(frozen=True)
class Context:
    """What every message of one pass over a mailbox needs, looked up once per pass."""

    own_addresses: frozenset[str]
    message_id_key: bytes
    group_name: str | None
    max_bytes: int
    acknowledge: Answer | None  # queues the acknowledgement of a new ticket, when the mailbox sends one


def context_for(mailbox: Mailbox) -> Context:
    """The lookups `receive` needs for `mailbox`, done once (a sync pass makes one)."""
    group = db.session.get(Group, mailbox.group_id) if mailbox.group_id is not None else None
    return Context(own_addresses=frozenset(mailboxes.own_addresses()), message_id_key=mailboxes.message_id_key(),
                   group_name=group.name if group else None, max_bytes=current_app.config["HELPDESK_MAX_MAIL_BYTES"],
                   acknowledge=_acknowledger(mailbox) if mailbox.acknowledge else None)


def _acknowledger(mailbox: Mailbox) -> Answer:
    """Ingestion's `answer` hook for `mailbox`: the acknowledgement of a new ticket is queued in the
    transaction that stores the ticket, so it exists exactly when the ticket does (a separate write
    afterwards was lost whenever SQLite was busy), and comes right after the mail it answers (its
    In-Reply-To is that mail, never a follow-up stored in the same batch). The outbox delivers it."""
    own = Template(mailbox.acknowledge_template) if mailbox.acknowledge_template else None
    defaults: dict[str | None, Template] = {}  # the default text by language, translated once
    cap = current_app.config["HELPDESK_AUTO_REPLIES_PER_HOUR"]

    def acknowledge(opened: Opened) -> list[tuple[str, dict]]:
        if opened.message.is_automated:  # auto-replies, our own mail, system senders: never answered
            return []
        template = own
        if template is None:
            language = languages.normalise(opened.customer_language)
            if language not in defaults:
                with in_language(language):
                    defaults[language] = Template(str(DEFAULT_ACKNOWLEDGEMENT))
            template = defaults[language]
        body = template.safe_substitute(name=opened.customer_name, subject=opened.subject, number=opened.ticket.number)
        message_id = replies.stage_auto_reply(opened.ticket, source=opened.source, body=body, cap_per_hour=cap,
                                              now=opened.now)
        return [] if message_id is None else [("message.created", replies.auto_reply_payload(opened.payload, message_id))]

    return acknowledge


def _parse(raw: bytes, mailbox: Mailbox, context: Context) -> InboundMessage:
    message = parse_email(raw, source=mailbox.source, max_bytes=context.max_bytes, own_addresses=context.own_addresses)
    if not message.sender.address:
        raise MailRejected("the message names no sender address to answer")
    if context.group_name is not None and message.group_hint is None:
        message = replace(message, group_hint=context.group_name)
    return message


def _bounces(message: InboundMessage) -> bool:
    return message.report is not None and message.report.failed and bool(message.report.original_id)


def _outcome(reason: str | None, result: IngestResult | None) -> MailOutcome:
    """What became of a message once its ingestion is committed."""
    if result is None:
        return MailOutcome(ticket_id=None, reason=reason)
    return MailOutcome(ticket_id=result.ticket_id, duplicate=result.duplicate, created=result.created_ticket,
                       reason=reason)


def receive(raw: bytes, mailbox: Mailbox, context: Context | None = None) -> MailOutcome:
    """Parse `raw` (received by `mailbox`) and store it where it belongs; commits.

    A delivery report also marks the outbound message it reports on as failed.
    """
    context = context or context_for(mailbox)
    message = _parse(raw, mailbox, context)
    if _bounces(message):
        replies.mark_bounced(message.report.original_id, _bounce_reason(message))
    reason = _why_it_may_not_open_a_ticket(message, context)
    result = ingest(replace(message, is_automated=message.is_automated or reason is not None),
                    allow_new_ticket=reason is None, raw=raw, reconcile=_apart_if_other_content,
                    answer=context.acknowledge)
    return _outcome(reason, result)


def receive_many(raws: list[bytes], mailbox: Mailbox, context: Context) -> list[MailOutcome] | None:
    """`receive` for several mails in one ingest transaction; commits. None, with
    nothing stored, when one of them is a delivery report to act on (those go one by one);
    an exception, with nothing stored, when one of them cannot be taken: the caller then takes
    them one by one, so that the others are stored and the bad one is kept as failed mail."""
    messages = [_parse(raw, mailbox, context) for raw in raws]
    if any(_bounces(message) for message in messages):
        return None
    reasons = [_why_it_may_not_open_a_ticket(message, context) for message in messages]
    items = [(replace(message, is_automated=message.is_automated or reason is not None), reason is None, raw)
             for message, reason, raw in zip(messages, reasons, raws, strict=True)]
    results = ingest_many(items, reconcile=_apart_if_other_content, answer=context.acknowledge)
    return [_outcome(reason, result) for reason, result in zip(reasons, results, strict=True)]


def _apart_if_other_content(message: InboundMessage, raw: bytes, stored_text: str) -> InboundMessage:
    """(ingest's `reconcile`) The same Message-ID again is normally the same mail fetched twice
    (stored once); with a different text it is another mail reusing the id (a broken mailer, or
    someone pre-empting a real message), which must not be dropped: it is stored under an id
    derived from its bytes."""
    if stored_text == message.body_text:
        return message
    derived = f"{message.external_id[:480]}#{hashlib.sha256(raw).hexdigest()[:16]}"
    return replace(message, external_id=derived, metadata={**message.metadata, "reused_message_id": message.external_id})


def _bounce_reason(message: InboundMessage) -> str:
    failed = [r for r in message.report.recipients if r.action == "failed"]
    parts = [f"{r.address}: {r.status or ''} {r.diagnostic or ''}".strip() for r in failed]
    return ("bounced: " + "; ".join(parts))[:1000]
