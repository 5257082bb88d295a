"""Attachment downloads: only for staff who may see the ticket, always as a download."""

from __future__ import annotations

from flask import Blueprint, abort, send_file
from flask_login import current_user

from helpdesk.extensions import db
from helpdesk.models import Attachment, Message
from helpdesk.security import bearer_token
from helpdesk.services import staff, tickets
from helpdesk.services.attachments import path_for

bp = Blueprint("attachments", __name__)


def _requester():
    """The signed-in staff member, or the owner of a bearer token (integrations)."""
    if current_user.is_authenticated:
        return current_user._get_current_object()
    return staff.user_for_token(bearer_token())


def _visible_message(user, message_id: int) -> Message:
    message = db.session.get(Message, message_id) if 0 < message_id < 2**31 else None
    if message is None:
        abort(404)
    try:
        tickets.get_for(user, message.ticket_id)
    except tickets.TicketNotFound:
        abort(404)
    return message


def as_download(path, mimetype: str, name: str, etag: str | None):
    if not path.exists():
        abort(410)
    response = send_file(path, mimetype=mimetype, as_attachment=True, download_name=name, max_age=0,
                         conditional=True, etag=etag)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/messages/<int:message_id>/raw")
def raw_message(message_id: int):
    """The message exactly as the provider delivered it (an .eml for e-mail), for staff who see the ticket."""
    user = _requester()
    if user is None:
        abort(401)
    message = _visible_message(user, message_id)
    if not message.raw_key:
        abort(404)
    return as_download(path_for(message.raw_key), "message/rfc822", f"message-{message.id}.eml", None)


@bp.get("/attachments/<int:attachment_id>")
def download(attachment_id: int):
    """The file's bytes with `Content-Disposition: attachment` and `nosniff`, so a customer's
    HTML or SVG is never rendered in the console's origin. Anything not visible answers 404."""
    user = _requester()
    if user is None:
        abort(401)
    attachment = db.session.get(Attachment, attachment_id) if attachment_id < 2**31 else None
    if attachment is None:
        abort(404)
    _visible_message(user, attachment.message_id)
    return as_download(path_for(attachment.storage_key), attachment.content_type, attachment.filename,
                        attachment.sha256)
