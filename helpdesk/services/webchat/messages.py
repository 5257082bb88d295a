"""A visitor's conversation: their messages into ingest(), the history the widget shows, read state.

Every message a visitor writes is one `InboundMessage` through the single ingestion path (a
ticket of channel "webchat", thread key = visitor id). What goes back to the widget is plain data
(text, never HTML) for `textContent`; files are links signed for that visitor only.
"""

from __future__ import annotations

import re

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import or_, select, update
from sqlalchemy.orm import selectinload

from channels.base import Attachment as IncomingFile
from channels.webchat.adapter import SUBJECT_MAX, TEXT_MAX, VisitorMessage, to_inbound
from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Attachment, ChannelAccount, Message, Ticket
from helpdesk.services import attachments, events, rules
from helpdesk.services.ingest import IngestResult, ingest
from helpdesk.services.surveys import widget as survey_widget
from helpdesk.services.transactions import begin_write
from helpdesk.services.webchat import visitors as webchat_visitors

HISTORY_MAX = 200
FILE_LINK_MAX_AGE = 30 * 24 * 3600
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_\-]{6,64}$")
# What visitors may send: pictures, PDFs and plain text, recognised by their bytes, not their name.
VISIBLE_REPLIES = ("sent", "delivered", "read")  # replies the visitor can have had (not queued, not failed)
UPLOAD_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain")


class ChatMessageError(ValueError):
    """A visitor message that cannot be stored; `field` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _group_name(account: ChannelAccount) -> str | None:
    # From routing's groups, cached under the settings token the widget's lookup already read.
    if not account.group_id:
        return None
    return next((g.name for g in rules.routing().groups.values() if g.id == account.group_id), None)


def check_upload(filename: str, content: bytes) -> IncomingFile:
    """A visitor's file, if its size and (sniffed) type are allowed; ChatMessageError otherwise."""
    limit = current_app.config["HELPDESK_WEBCHAT_UPLOAD_BYTES"]
    if not content:
        raise ChatMessageError("file", _("is empty"))
    if len(content) > limit:
        raise ChatMessageError("file", _("is larger than %(limit)s bytes", limit=limit))
    content_type = attachments.sniff_type(content, "text/plain" if filename.lower().endswith(".txt") else "")
    if content_type not in UPLOAD_TYPES:
        raise ChatMessageError("file", _("must be a picture (PNG, JPEG, GIF, WebP), a PDF or a text file"))
    return IncomingFile(filename=attachments.safe_filename(filename), content=content, content_type=content_type)


def post(account: ChannelAccount, visitor_id: str, *, text: str, client_id: str, name: str | None = None,
         subject: str | None = None, files: tuple[IncomingFile, ...] = ()) -> IngestResult:
    """Store what the visitor wrote on their conversation (a new ticket for the first message, or
    after the last one was closed). Idempotent on `client_id`. ChatMessageError on bad input."""
    text = (text or "").strip()
    if not text and not files:
        raise ChatMessageError("text", _("must not be empty"))
    if len(text) > TEXT_MAX:
        raise ChatMessageError("text", _("must be at most %(text_max)s characters", text_max=TEXT_MAX))
    if not _CLIENT_ID.match(client_id or ""):
        raise ChatMessageError("client_id", _("must be 6 to 64 letters, digits, dashes or underscores"))
    if not text:
        text = "Sent " + ", ".join(f.filename for f in files)
    subject = " ".join((subject or "").split())[:SUBJECT_MAX] or None
    message = VisitorMessage(source=account.source, visitor_id=visitor_id, client_id=client_id, text=text,
                             name=webchat_visitors.clean_name(name), subject=subject, group=_group_name(account),
                             attachments=files)
    return ingest(to_inbound(message))


def _file_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="webchat-file")


def file_link(attachment: Attachment, visitor_id: str) -> str:
    """A path under which this visitor (and whoever they share it with) can download the file."""
    return "/widget/files/" + _file_serializer().dumps({"a": attachment.id, "v": visitor_id})


def attachment_for_link(token: str) -> Attachment | None:
    """The attachment a file link names, if the link is genuine, recent, and the file is on a
    conversation of the visitor it was made for (never an internal note)."""
    try:
        data = _file_serializer().loads(token, max_age=FILE_LINK_MAX_AGE)
    except BadSignature:
        return None
    attachment = db.session.get(Attachment, int(data.get("a") or 0)) if isinstance(data, dict) else None
    if attachment is None:
        return None
    owner = db.session.execute(
        select(Ticket.thread_key, Ticket.channel, Message.kind).join(Message, Message.ticket_id == Ticket.id)
        .where(Message.id == attachment.message_id)
    ).first()
    if owner is None or owner.channel != "webchat" or owner.kind == "note" or owner.thread_key != data.get("v"):
        return None
    return attachment


def as_item(message: Message, visitor_id: str, rating: dict | None = None) -> dict:
    """One message as the widget shows it: text only (the widget sets it with textContent); a
    survey's message also carries its `rating` (see survey_widget.rating)."""
    author = message.author.name.split()[0] if message.author is not None and message.author.name else None
    shown = {
        "id": message.id, "ticket_id": message.ticket_id, "from": "visitor" if message.kind == "inbound" else "agent",
        "author": author, "text": message.body_text, "at": message.created_at.isoformat() + "Z",
        "state": message.delivery_state,
        "files": [{"name": a.filename, "size": a.size, "type": a.content_type, "url": file_link(a, visitor_id)}
                  for a in message.attachments],
    }
    return shown | {"survey": rating} if rating is not None else shown


def item(message_id: int, visitor_id: str) -> dict | None:
    """One message as the widget shows it, by id."""
    message = db.session.get(Message, message_id)
    if message is None:
        return None
    return as_item(message, visitor_id, survey_widget.ratings_for([message]).get(message.id))


def history(account: ChannelAccount, visitor_id: str, limit: int = HISTORY_MAX) -> list[dict]:
    """The visitor's messages on this widget, every conversation, oldest first (at most `limit`,
    the latest): what they wrote and what agents answered, never internal notes."""
    ticket_ids = webchat_visitors.conversation_ids(account, visitor_id)
    if not ticket_ids:
        return []
    rows = list(db.session.scalars(
        select(Message).where(Message.ticket_id.in_(ticket_ids),
                              or_(Message.kind == "inbound", Message.delivery_state.in_(VISIBLE_REPLIES)))
        .options(selectinload(Message.attachments), selectinload(Message.author))
        .order_by(Message.id.desc()).limit(limit)
    ))
    ratings = survey_widget.ratings_for(rows)  # a pending survey shows again when the visitor returns
    return [as_item(m, visitor_id, ratings.get(m.id)) for m in reversed(rows)]


def _advance(account: ChannelAccount, visitor_id: str, which, state: str, before: tuple[str, ...]) -> list[int]:
    """Move the visitor's outbound messages matching `which` that are in a `before` state to
    `state` (never backwards); commits and publishes `message.updated` for each. Returns their ids."""
    ticket_ids = webchat_visitors.conversation_ids(account, visitor_id)
    if not ticket_ids:
        return []
    begin_write()
    mine = (which, Message.ticket_id.in_(ticket_ids), Message.kind == "outbound", Message.delivery_state.in_(before))
    rows = db.session.execute(select(Message.id, Message.ticket_id).where(*mine)).all()
    if rows:
        db.session.execute(update(Message).where(Message.id.in_([r.id for r in rows]), Message.delivery_state.in_(before))
                           .values(delivery_state=state).execution_options(synchronize_session=False))
    payloads = {t.id: events.ticket_payload(t)
                for t in db.session.scalars(select(Ticket).where(Ticket.id.in_({r.ticket_id for r in rows})))}
    db.session.commit()
    for row in rows:
        events.publish("message.updated", payloads[row.ticket_id] | {
            "message_id": row.id, "delivery_state": state, "delivery_error": None})
    return [r.id for r in rows]


def mark_delivered(account: ChannelAccount, visitor_id: str, message_ids: list[int]) -> list[int]:
    """The widget fetched these replies (they had waited for the visitor as "sent")."""
    if not message_ids:
        return []
    return _advance(account, visitor_id, Message.id.in_(message_ids), "delivered", ("sent",))


def mark_read(account: ChannelAccount, visitor_id: str, up_to: int) -> list[int]:
    """The visitor saw every reply up to message `up_to`: those become "read"."""
    return _advance(account, visitor_id, Message.id <= up_to, "read", ("sent", "delivered"))


def last_inbound_id(ticket_id: int) -> int | None:
    """The newest message the visitor wrote on a ticket (what an agent looking at it has seen)."""
    return db.session.scalar(select(Message.id).where(Message.ticket_id == ticket_id, Message.kind == "inbound")
                             .order_by(Message.id.desc()).limit(1))
