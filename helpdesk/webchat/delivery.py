"""What the chat's sockets do for the rest of the helpdesk: the adapter's live push of agent
replies, agents' presence relayed to the visitor, and new chats announced to the console."""

from __future__ import annotations

import logging

from channels.base import OutboundMessage
from channels.web.form import WebChannel
from channels.webchat.adapter import WebchatChannel
from helpdesk.extensions import db, socketio
from helpdesk.models import Message, Ticket, User
from helpdesk.services import replies
from helpdesk.services.mail import mailboxes
from helpdesk.services.transactions import begin_write
from helpdesk.services.webchat import messages as webchat_messages
from helpdesk.services.webchat import visitors as webchat_visitors
from helpdesk.webchat import presence

log = logging.getLogger(__name__)

NAMESPACE = "/chat"
AGENT_NAMESPACE = "/agent"


def room_of(source: str | None, visitor_id: str) -> str | None:
    """The Socket.IO room of a visitor's conversation on the widget that `source` names."""
    kind, _, account_id = (source or "").partition(":")
    return f"visitor:{account_id}:{visitor_id}" if kind == "webchat" and account_id.isdigit() else None


def push(outbound: OutboundMessage) -> bool:
    """Emit an agent reply to the visitor's open widget; False when no widget of theirs is connected."""
    visitor_id = outbound.recipient.address
    room = room_of(outbound.source, visitor_id)
    if room is None or not presence.visitors.is_online(room):
        return False
    item = webchat_messages.item(outbound.message_id, visitor_id)
    if item is None:
        return False
    push_reply(room, item | {"state": "delivered"})
    return True


def adapter(settings: dict) -> WebchatChannel:
    """The "webchat" channel adapter: live push, and e-mail (the server's outgoing mail) for
    visitors who left after proving their address."""
    return WebchatChannel(push, email=WebChannel(mailboxes.outgoing_smtp(None)), email_of=webchat_visitors.verified_email)


def live_room(ticket: Ticket) -> str | None:
    """The room to push a reply on `ticket` to right after its commit: the visitor's, when their
    widget is open and they last wrote through it (not by e-mail, where the reply follows them)."""
    room = _room_of_ticket(ticket)
    if room is None or not presence.visitors.is_online(room):
        return None
    return room if replies.recipient_kind(ticket) == "webchat" else None


def reply_item(message: Message, ticket: Ticket) -> dict:
    """The reply as the visitor's widget shows it."""
    return webchat_messages.as_item(message, ticket.thread_key)


def push_reply(room: str, item: dict) -> None:
    socketio.emit("message_added", item, to=room, namespace=NAMESPACE)


handover = replies.Handover(target=live_room, prepare=reply_item, push=push_reply)


def _room_of_ticket(ticket: Ticket | None) -> str | None:
    if ticket is None or ticket.channel != "webchat" or not ticket.thread_key:
        return None
    return room_of(ticket.source, ticket.thread_key)


def _chat_room(ticket_id: int) -> str | None:
    return _room_of_ticket(db.session.get(Ticket, ticket_id))


def agent_activity(ticket_id: int, user: User, state: str) -> None:
    """An agent opened a chat's ticket page ("viewing") or is writing on it ("replying"): the
    visitor sees that their messages were seen, and the agent typing."""
    room = _chat_room(ticket_id)
    if room is None:
        return
    first_name = (user.name or "").split(" ")[0] or "Agent"
    socketio.emit("agent", {"name": first_name, "typing": state == "replying"}, to=room, namespace=NAMESPACE)
    seen = webchat_messages.last_inbound_id(ticket_id)
    if seen is not None:
        socketio.emit("read", {"up_to": seen}, to=room, namespace=NAMESPACE)


def visitor_typing(ticket_id: int, typing: bool) -> None:
    """Tell the agents on the ticket page that the visitor is (no longer) typing."""
    socketio.emit("chat.typing", {"ticket_id": ticket_id, "typing": typing}, to=f"ticket:{ticket_id}",
                  namespace=AGENT_NAMESPACE)


def announce_new_chat(sender, payload: dict) -> None:
    """Subscriber of `ticket.created`: a new chat rings in the console of its group and supervisors."""
    if payload.get("channel", "webchat") != "webchat":
        return  # every channel's new tickets pass here: spare them the database read
    ticket = db.session.get(Ticket, payload["ticket_id"])
    if ticket is None or ticket.channel != "webchat":
        return
    rooms = ["supervisors"] + ([f"group:{ticket.group_id}"] if ticket.group_id is not None else [])
    socketio.emit("chat.waiting", {"ticket_id": ticket.id, "group_id": ticket.group_id}, to=rooms,
                  namespace=AGENT_NAMESPACE)


def deliver_live(sender, payload: dict) -> None:
    """Subscriber of `message.created`: a reply on a chat whose visitor has the widget open is
    delivered at once, in the process that stored it, instead of waiting for a job thread; the
    queued job then finds it delivered (delivery claims the message, so it happens once). Replies
    to visitors who left (kept for their return, or sent by e-mail) stay with the job queue."""
    if (payload.get("kind") != "outbound" or payload.get("channel") != "webchat"
            or payload.get("delivery_state", "queued") != "queued"):
        return  # not a chat reply, or one handed over already (see replies.Handover)
    room = _chat_room(payload["ticket_id"])
    if room is None or not presence.visitors.is_online(room):
        db.session.commit()  # end the read: the publisher's session goes on (see knowledge_base.activity)
        return
    try:
        begin_write()
        replies.deliver(payload["message_id"], live=True)
    except Exception:  # noqa: BLE001 - the reply is stored and still queued: its job delivers it
        db.session.rollback()
        log.exception("chat reply %s: live delivery failed; left to the job queue", payload["message_id"])
