"""Related tickets: an agent links two tickets, or splits chosen messages of a ticket into a new
ticket of the same customer (the two are then linked). Both tickets' timelines record it."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Message, Ticket, TicketEvent, TicketLink, User
from helpdesk.models.base import utcnow
from helpdesk.services import events, tickets
from helpdesk.services.tickets import TicketError
from helpdesk.services.transactions import begin_write

MAX_LINKS = 50
SPLIT_PREFIX = "Split from"


def links_of(user: User, ticket: Ticket) -> list[tuple[TicketLink, Ticket]]:
    """The tickets linked to `ticket` that `user` may see, oldest link first."""
    rows = db.session.execute(select(TicketLink, Ticket).join(Ticket, Ticket.id == TicketLink.linked_id)
                              .where(TicketLink.ticket_id == ticket.id).order_by(TicketLink.created_at, Ticket.id))
    return [(link, other) for link, other in rows if tickets.can_see(user, other)]


def _pair(ticket: Ticket, other: Ticket, kinds: tuple[str, str], actor: User) -> list[dict]:
    """Add both directions of a link and a timeline entry on each ticket (no commit); the events'
    payloads to publish after commit."""
    now = utcnow()
    db.session.add_all([
        TicketLink(ticket_id=ticket.id, linked_id=other.id, kind=kinds[0], actor_id=actor.id, created_at=now),
        TicketLink(ticket_id=other.id, linked_id=ticket.id, kind=kinds[1], actor_id=actor.id, created_at=now),
        TicketEvent(ticket_id=ticket.id, actor_id=actor.id, kind=kinds[0] if kinds[0] != "related" else "linked",
                    data={"ticket": other.id}, created_at=now),
        TicketEvent(ticket_id=other.id, actor_id=actor.id, kind=kinds[1] if kinds[1] != "related" else "linked",
                    data={"ticket": ticket.id}, created_at=now),
    ])
    ticket.updated_at = other.updated_at = now
    return [events.ticket_payload(t) | {"changes": {"linked": [None, o.id]}, "actor_id": actor.id}
            for t, o in ((ticket, other), (other, ticket))]


def _linked(ticket_id: int, other_id: int) -> bool:
    return db.session.get(TicketLink, (ticket_id, other_id)) is not None


def link(ticket: Ticket, other: Ticket, actor: User) -> None:
    """Link two tickets `actor` may both see (the caller checked); commits and publishes.
    TicketError('ticket_id') for the ticket itself, a link that exists, or too many links."""
    begin_write()
    if ticket.id == other.id:
        raise TicketError("ticket_id", _("a ticket cannot be linked to itself"))
    if _linked(ticket.id, other.id):
        raise TicketError("ticket_id", _("#%(id)s and #%(id2)s are linked already", id=ticket.id, id2=other.id))
    counts = [db.session.scalar(select(func.count()).where(TicketLink.ticket_id == t)) for t in (ticket.id, other.id)]
    if max(counts) >= MAX_LINKS:
        raise TicketError("ticket_id", _("a ticket has at most %(max_links)s links", max_links=MAX_LINKS))
    payloads = _pair(ticket, other, ("related", "related"), actor)
    db.session.commit()
    for payload in payloads:
        events.publish("ticket.updated", payload)


def unlink(ticket: Ticket, other: Ticket, actor: User) -> None:
    """Remove the link between two tickets (both directions), noted in both timelines; commits."""
    begin_write()
    if not _linked(ticket.id, other.id):
        raise TicketError("ticket_id", _("#%(id)s and #%(id2)s are not linked", id=ticket.id, id2=other.id))
    now = utcnow()
    db.session.execute(delete(TicketLink).where(
        ((TicketLink.ticket_id == ticket.id) & (TicketLink.linked_id == other.id))
        | ((TicketLink.ticket_id == other.id) & (TicketLink.linked_id == ticket.id))))
    db.session.add_all([TicketEvent(ticket_id=a.id, actor_id=actor.id, kind="unlinked", data={"ticket": b.id},
                                    created_at=now) for a, b in ((ticket, other), (other, ticket))])
    db.session.commit()


def split(ticket: Ticket, message_ids: list[int], actor: User, subject: str | None = None) -> Ticket:
    """Move the messages `message_ids` of `ticket` to a new ticket of the same customer, group,
    channel and priority (status open, nobody assigned), link the two, commit, publish
    `ticket.created` and `ticket.updated`. Returns the new ticket.

    TicketError('message_ids') unless every id is a message of `ticket` and at least one message
    stays; TicketError('ticket') for a merged ticket."""
    begin_write()
    if ticket.merged_into_id is not None:
        raise TicketError("ticket", _("was merged into #%(merged_into_id)s", merged_into_id=ticket.merged_into_id))
    wanted = sorted(set(message_ids))
    all_ids = list(db.session.scalars(select(Message.id).where(Message.ticket_id == ticket.id)))
    if not wanted or set(wanted) - set(all_ids):
        raise TicketError("message_ids", _("choose messages of ticket #%(id)s", id=ticket.id))
    if len(wanted) == len(all_ids):
        raise TicketError("message_ids", _("leave at least one message on the ticket"))
    subject = " ".join((subject or "").split()) or f"{SPLIT_PREFIX} #{ticket.number}: {ticket.subject}"[:255]
    if len(subject) > 255:
        raise TicketError("subject", _("must be at most 255 characters"))
    now = utcnow()
    new = Ticket(subject=subject, status="open", priority=ticket.priority, channel=ticket.channel, source=ticket.source,
                 customer_id=ticket.customer_id, group_id=ticket.group_id, created_at=now, updated_at=now)
    db.session.add(new)
    db.session.flush()
    db.session.execute(update(Message).where(Message.id.in_(wanted)).values(ticket_id=new.id))
    moved = db.session.execute(select(func.max(Message.created_at), func.max(Message.id))
                               .where(Message.ticket_id == new.id, Message.kind == "inbound")).one()
    new.last_customer_message_at = moved[0]
    payloads = _pair(ticket, new, ("split_into", "split_from"), actor)
    created = events.ticket_payload(new) | {"changes": {}, "actor_id": actor.id}
    db.session.commit()
    events.publish("ticket.created", created)
    events.publish("ticket.updated", payloads[0])
    return new
