"""Whom an agent's "reply to all" copies: everyone the customer's latest mail went to, never us."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Identity, Message, Ticket
from helpdesk.services.mail import mailboxes


def _ours(ticket: Ticket) -> set[str]:
    """The helpdesk's own addresses: every mailbox's, and the ones replies are sent from."""
    own = mailboxes.own_addresses()
    for settings in (current_app.config.get("HELPDESK_SMTP"), mailboxes.outgoing_smtp(ticket.source)):
        if settings is not None:
            own.add(settings.from_address)
    return {address.lower() for address in own}


def reply_all_cc(ticket: Ticket, recipient: str | None) -> list[dict]:
    """[{"name", "address"}] to copy on a reply to all: the sender, To and Cc of the newest inbound
    mail on `ticket` that lists recipients, without the helpdesk's own addresses and without
    `recipient` (who gets the reply anyway). Empty when there is nobody else."""
    latest = db.session.execute(
        select(Message.recipients, Identity.address).outerjoin(Identity, Identity.id == Message.identity_id)
        .where(Message.ticket_id == ticket.id, Message.kind == "inbound", Message.recipients.is_not(None))
        .order_by(Message.id.desc()).limit(1)
    ).first()
    if latest is None:
        return []
    recipients, sender = latest[0] or {}, latest[1]
    skip = _ours(ticket) | {(recipient or "").lower()}
    people = ([{"name": None, "address": sender}] if sender else []) + recipients.get("to", []) + recipients.get("cc", [])
    copies: dict[str, dict] = {}
    for person in people:
        address = (person.get("address") or "").lower()
        if address and address not in skip and address not in copies:
            copies[address] = {"name": person.get("name"), "address": address}
    return list(copies.values())
