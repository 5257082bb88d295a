"""Tickets an agent opens for a customer: a phone call, a walk-in, or an e-mail conversation the
agent starts. Through the one ingestion path (customer, rules, SLA, events), then the ticket and
reply services for what the agent adds.

The first text is either the customer's own words (stored as their inbound message) or the
agent's internal note; in the second case the ticket opens with a short automated line saying who
opened it and how, so that no words are put in the customer's mouth.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from channels.base import InboundMessage, Sender
from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.i18n import in_language
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.models import Customer, Group, Ticket, User
from helpdesk.services import customer_access, customers, replies, tickets
from helpdesk.services.ingest import ingest
from helpdesk.services.tickets import TicketError

SOURCE = "console"
CHANNELS = {"phone": "by phone", "in_person": "in person", "email": "by e-mail"}
FIRST_TEXT = ("customer", "note")
BODY_MAX = 100_000
# Written in the customer's language when the console speaks it (their profile's), else the default.
CONFIRMATION = _l("""Hello %(name)s,

we have opened ticket #%(number)s for you: %(subject)s

Reply to this e-mail to add anything to it.
""")


@dataclass(frozen=True)
class NewCustomer:
    """A customer created on the spot: a name and an e-mail address, a phone number, or both."""

    name: str
    email: str | None = None
    phone: str | None = None


def _customer(agent: User, customer_id: int | None, new: NewCustomer | None, channel: str) -> Customer:
    if customer_id is not None:
        try:
            return customer_access.get_for(agent, customer_id)  # the customers an agent may see
        except customers.CustomerNotFound:
            raise TicketError("customer_id", _("no customer %(customer_id)s", customer_id=customer_id)) from None
    if new is None:
        raise TicketError("customer_id", _("choose a customer, or give a new one's name and e-mail or phone"))
    identities = [(kind, value.strip()) for kind, value in (("email", new.email), ("phone", new.phone))
                  if value and value.strip()]
    if not identities:
        raise TicketError("email", _("give the new customer's e-mail address or phone number"))
    if new.email and "@" not in new.email:
        raise TicketError("email", _("is not an e-mail address"))
    if channel == "email" and not (new.email or "").strip():
        raise TicketError("channel", _("give the new customer's e-mail address to write to them"))
    try:
        return customers.create_customer(name=new.name, identities=identities, created_by_id=agent.id)
    except customers.CustomerError as exc:
        raise TicketError(exc.field if exc.field != "identities" else "email", str(exc)) from None


def _sender(customer: Customer, channel: str) -> Sender:
    """The customer's identity the ticket comes from: their e-mail for an e-mail ticket (which is
    how replies reach them), else their phone, else any identity they have."""
    by_kind = {}
    for identity in customer.identities:
        by_kind.setdefault(identity.kind, identity)
    if channel == "email" and "email" not in by_kind:
        raise TicketError("channel", _("%(name)s has no e-mail address to write to", name=customer.name))
    identity = by_kind.get("email" if channel == "email" else "phone") or by_kind.get("email") \
        or next(iter(by_kind.values()), None)
    if identity is None:
        raise TicketError("customer_id", _("%(name)s has no way to be reached", name=customer.name))
    return Sender(kind=identity.kind, address=identity.address, name=customer.name)


def _group(agent: User, group_id: int | None) -> Group | None:
    if group_id is None:
        return None
    group = db.session.get(Group, group_id)
    if group is None or not (agent.sees_all_groups or group.id in agent.group_ids):
        raise TicketError("group_id", _("choose one of your groups"))
    return group


def open_ticket(agent: User, *, channel: str, subject: str, body: str, first_text: str = "customer",
                customer_id: int | None = None, new_customer: NewCustomer | None = None,
                group_id: int | None = None, request_id: str | None = None) -> Ticket:
    """Open a ticket for a customer (found by id, or `new_customer` created now) and return it.

    `channel` is phone, in_person or email; with email the customer is mailed a confirmation with
    the ticket's number through the reply service (the outbox). `first_text` says whose `body` is:
    the customer's words (their inbound message) or the agent's internal note. `request_id` makes a
    resubmitted form harmless: the same agent and id return the first ticket. TicketError names a
    bad field; nothing is stored then, except a new customer when the ticket itself fails later.
    """
    if channel not in CHANNELS:
        raise TicketError("channel", _("must be one of %(list)s", list=list(CHANNELS)))
    if first_text not in FIRST_TEXT:
        raise TicketError("first_text", _("must be one of %(list)s", list=list(FIRST_TEXT)))
    subject = " ".join((subject or "").split())
    body = (body or "").strip()
    if not 1 <= len(subject) <= 255:
        raise TicketError("subject", _("must be 1 to 255 characters"))
    if not 1 <= len(body) <= BODY_MAX:
        raise TicketError("body", _("must be 1 to %(body_max)s characters", body_max=BODY_MAX))
    group = _group(agent, group_id)
    customer = _customer(agent, customer_id, new_customer, channel)
    sender = _sender(customer, channel)
    as_note = first_text == "note"
    opening = f"Ticket opened by {agent.name} ({CHANNELS[channel]}); see the internal note."
    result = ingest(InboundMessage(
        channel=channel, source=SOURCE, external_id=f"{SOURCE}:{agent.id}:{request_id or uuid.uuid4()}",
        sender=sender, subject=subject, body_text=opening if as_note else body, is_automated=as_note,
        group_hint=group.name if group else None))
    ticket = db.session.get(Ticket, result.ticket_id)
    if result.duplicate:
        return ticket
    if group is not None and ticket.group_id != group.id:
        tickets.update_ticket(ticket, agent, group_id=group.id)  # the agent's choice over a routing rule
    if as_note:
        replies.add_reply(ticket, agent, body=body, internal=True)
    if channel == "email":
        with in_language((customer.language or "").replace("_", "-").split("-")[0].lower() or None):
            body = CONFIRMATION % {"name": customer.name, "number": ticket.number, "subject": subject}
        replies.add_reply(ticket, agent, body=body)
    return ticket


def customers_for(agent: User, q: str, limit: int = 8) -> list[Customer]:
    """Customers `agent` may see whose name, e-mail or phone contains `q` (phone digits match
    however they were typed)."""
    q = (q or "").strip()
    if not q:
        return []
    found = customer_access.search(agent, q, limit=limit).items
    digits = "".join(ch for ch in q if ch.isdigit())
    if len(digits) >= 4 and len(found) < limit and digits != q:
        seen = {c.id for c in found}
        found += [c for c in customer_access.search(agent, digits, limit=limit).items if c.id not in seen]
    return found[:limit]


def group_choices(agent: User) -> list[Group]:
    """The groups `agent` may open a ticket in."""
    query = select(Group).order_by(Group.name)
    if not agent.sees_all_groups:
        query = query.where(Group.id.in_(agent.group_ids or [-1]))
    return list(db.session.scalars(query))
