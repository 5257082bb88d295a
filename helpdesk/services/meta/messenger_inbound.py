"""What a Messenger webhook delivers, taken in: customer messages (their files downloaded, a new
customer's name asked of the Page) through `ingest`, delivery callbacks and read watermarks onto
the replies they report on. Everything is committed before `receive` returns.
"""

from __future__ import annotations

import functools
from dataclasses import replace

from channels.base import InboundMessage
from channels.messenger import parser
from channels.messenger.adapter import MessengerChannel
from helpdesk.extensions import db
from helpdesk.models import ChannelAccount
from helpdesk.services import customers, delivery_status
from helpdesk.services.meta import inbound as meta_inbound
from helpdesk.services.meta import messenger_pages
from helpdesk.services.meta.accounts import WebhookReport


def receive(account: ChannelAccount, payload: object) -> WebhookReport:
    """Ingest every message and apply every delivery and read callback of a verified webhook
    `payload` that arrived at `account`'s URL; raises when something may be taken in later."""
    report = WebhookReport()
    for page_id, events in parser.entries(payload):
        target = meta_inbound.route(account, "page_id", page_id, report)
        if target is None:
            continue
        page = parser.parse_entry(page_id, events, target.source)
        report.ignored += page.skipped
        adapter = messenger_pages.channel(target)
        for parsed in page.messages:
            files = [(ref.filename, functools.partial(adapter.fetch_file, ref)) for ref in parsed.files]
            meta_inbound.take_message(target, _named(adapter, parsed.message), report, files)
        meta_inbound.apply_statuses(target.source, page.statuses, report)
        for mark in page.watermarks:
            report.statuses += delivery_status.apply_watermark(target.source, mark.recipient, mark.state, mark.until)
    return report


def _named(adapter: MessengerChannel, message: InboundMessage) -> InboundMessage:
    """Messenger does not say who wrote: a customer seen for the first time is named by the Page's
    profile lookup (when the Page may see it)."""
    known = customers.find_identity("messenger", message.sender.address) is not None
    db.session.commit()
    name = None if known else adapter.profile_name(message.sender.address)
    return replace(message, sender=replace(message.sender, name=name)) if name else message
