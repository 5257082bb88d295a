"""The agents' side of live chat: the queue of conversations, accepting one, handing one over.

A chat is an open ticket of channel "webchat"; waiting means nobody has it yet. Accepting and
transferring are ordinary ticket changes (assignee, group), so the timeline, SLA clocks and live
lists follow as for any ticket.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Ticket, User
from helpdesk.services import tickets

CHAT_STATUSES = ("new", "open", "pending")
QUEUE_MAX = 100


class ChatError(ValueError):
    """A chat action that cannot be done; the message says why."""


@dataclass(frozen=True)
class Queue:
    """The chats an agent sees: nobody's yet, theirs, and colleagues'."""

    waiting: list[Ticket]
    mine: list[Ticket]
    others: list[Ticket]


def queue(user: User) -> Queue:
    """Open chats `user` may see, split into waiting (oldest first: who waits longest is first),
    mine and others (most recently active first)."""
    rows = list(db.session.scalars(
        tickets.visible_to(user).where(Ticket.channel == "webchat", Ticket.status.in_(CHAT_STATUSES),
                                       Ticket.merged_into_id.is_(None))
        .order_by(Ticket.updated_at.desc()).limit(QUEUE_MAX)
    ))
    waiting = sorted((t for t in rows if t.assignee_id is None), key=lambda t: t.created_at)
    return Queue(waiting=waiting, mine=[t for t in rows if t.assignee_id == user.id],
                 others=[t for t in rows if t.assignee_id not in (None, user.id)])


def is_chat(ticket: Ticket) -> bool:
    return ticket.channel == "webchat"


def accept(ticket: Ticket, user: User) -> Ticket:
    """Take a waiting chat: it is assigned to `user` (and opened); commits and publishes.
    ChatError when it is not a chat or a colleague took it first."""
    if not is_chat(ticket):
        raise ChatError(_("this ticket is not a chat"))
    if ticket.assignee_id not in (None, user.id):
        raise ChatError(_("%(name)s has already accepted this chat", name=ticket.assignee.name))
    changes: dict = {"assignee_id": user.id}
    if ticket.status == "new":
        changes["status"] = "open"
    tickets.update_ticket(ticket, user, **changes)
    return ticket


def transfer(ticket: Ticket, actor: User, *, assignee_id: int | None = None, group_id: int | None = None) -> Ticket:
    """Hand a chat to another agent, or to another group's queue (then nobody has it until someone
    there accepts); commits and publishes. ChatError/TicketError when the target cannot take it."""
    if not is_chat(ticket):
        raise ChatError(_("this ticket is not a chat"))
    if assignee_id is None and group_id is None:
        raise ChatError(_("choose an agent or a group"))
    changes: dict = {}
    if group_id is not None and group_id != ticket.group_id:
        changes["group_id"] = group_id
        changes["assignee_id"] = assignee_id
    elif assignee_id is not None:
        changes["assignee_id"] = assignee_id
    if not changes:
        raise ChatError(_("the chat is already there"))
    tickets.update_ticket(ticket, actor, **changes)
    return ticket

