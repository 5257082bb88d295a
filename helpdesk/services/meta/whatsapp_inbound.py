"""What a WhatsApp webhook delivers, taken in: customer messages (with their files downloaded)
through `ingest`, and delivery statuses onto the replies they report on.

Everything is committed before `receive` returns, so the webhook can answer 200 afterwards and
any failure (an exception) makes Meta deliver again; ingestion is idempotent on the wamid.
"""

from __future__ import annotations

import functools

from sqlalchemy.exc import IntegrityError

from channels.base import Sender
from channels.whatsapp import parser
from helpdesk.extensions import db
from helpdesk.models import ChannelAccount
from helpdesk.services import customers
from helpdesk.services.meta import inbound as meta_inbound
from helpdesk.services.meta import whatsapp_accounts
from helpdesk.services.meta.accounts import WebhookReport
from helpdesk.services.surveys import answers as survey_answers
from helpdesk.services.surveys import outbound as survey_outbound


def receive(account: ChannelAccount, payload: object) -> WebhookReport:
    """Ingest every message and apply every status of a verified webhook `payload` that arrived
    at `account`'s URL. Raises (after committing what was done) when something could not be taken
    in now but may be later, such as a file the Graph API would not hand out."""
    report = WebhookReport()
    for number, value in parser.changes(payload):
        target = meta_inbound.route(account, "phone_number_id", number, report)
        if target is None:
            continue
        change = parser.parse_change(value, target.source)
        report.ignored += change.skipped
        for parsed in change.messages:
            if survey_outbound.is_chat_reply(parsed.message.metadata.get("reply_id")):
                # A survey score picked from its list: recorded on the survey, not a message that
                # would reopen the solved ticket.
                survey_answers.answer_from_chat(parsed.message.metadata["reply_id"], "whatsapp",
                                                parsed.message.sender.address)
                continue
            attach_to_phone_customer(parsed.message.sender)
            files = []
            if parsed.media is not None:
                fetch = functools.partial(whatsapp_accounts.channel(target).fetch_media, parsed.media)
                files.append((parsed.media.filename, fetch))
            meta_inbound.take_message(target, parsed.message, report, files)
        meta_inbound.apply_statuses(target.source, change.statuses, report)
    return report


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
