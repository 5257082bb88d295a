"""Limits on the confirmation mails a chat widget sends, so it cannot be used to mail-bomb anyone.

A visitor who types an address gets a confirmation link mailed there. Anyone can open the widget
as a new visitor, so besides the per-visitor limit the mails are counted per target address (its
owner gets a handful a day at most, whoever asks) and per widget (a flood through one site stops
for everyone until the window passes). The counts live in the database, so they hold across
processes and restarts; the address is kept only as a hash.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import current_app
from limits import parse
from sqlalchemy import delete, func, select, text

from helpdesk.extensions import db
from helpdesk.models import ChannelAccount, WidgetConfirmation
from helpdesk.models.base import utcnow
from helpdesk.services.transactions import begin_write

# (setting, column, what the visitor is told): the first limit reached answers.
LIMITS = (
    ("HELPDESK_WEBCHAT_CONFIRM_ADDRESS_RATE", WidgetConfirmation.address_hash,
     "This address has had as many confirmation e-mails as we send in a while; use the link "
     "already sent there, or try again later."),
    ("HELPDESK_WEBCHAT_CONFIRM_VISITOR_RATE", WidgetConfirmation.visitor_id,
     "You have asked for several confirmation e-mails already; use the link already sent, or try again later."),
    ("HELPDESK_WEBCHAT_CONFIRM_WIDGET_RATE", WidgetConfirmation.account_id,
     "We cannot send confirmation e-mails from this chat right now; try again later, or keep chatting here."),
)
# One lock for every reservation on PostgreSQL (they are rare): two visitors asking at once for
# the same address must not both see the count below the limit.
_PG_LOCK = 0x6877_636F_6E66  # "hwconf"


class ConfirmationRefused(Exception):
    """A confirmation mail that a limit refuses; `message` says so to the visitor."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def address_hash(address: str) -> str:
    """How an address is kept here: never in clear text."""
    return hashlib.sha256(address.encode()).hexdigest()


def _window(setting: str) -> tuple[int, timedelta]:
    item = parse(current_app.config[setting])
    return item.amount, timedelta(seconds=item.get_expiry())


def reserve(account: ChannelAccount, visitor_id: str, address: str) -> None:
    """Count one confirmation mail to `address` for `visitor_id` on `account`; commits.
    Raises ConfirmationRefused (and counts nothing) when the address, the visitor or the widget
    has had its limit (HELPDESK_WEBCHAT_CONFIRM_*_RATE) within the limit's window."""
    begin_write()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
    now = utcnow()
    keys = {WidgetConfirmation.address_hash: address_hash(address), WidgetConfirmation.visitor_id: visitor_id,
            WidgetConfirmation.account_id: account.id}
    longest = timedelta(0)
    for setting, column, refusal in LIMITS:
        amount, window = _window(setting)
        longest = max(longest, window)
        sent = db.session.scalar(select(func.count()).select_from(WidgetConfirmation)
                                 .where(column == keys[column], WidgetConfirmation.sent_at > now - window))
        if sent >= amount:
            db.session.rollback()
            raise ConfirmationRefused(refusal)
    db.session.execute(delete(WidgetConfirmation).where(WidgetConfirmation.sent_at <= now - longest))
    db.session.add(WidgetConfirmation(account_id=account.id, visitor_id=visitor_id,
                                      address_hash=keys[WidgetConfirmation.address_hash], sent_at=now))
    db.session.commit()
