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


@bp.get("/attachments/<int:attachment_id>")
def download(attachment_id: int):
    """The file's bytes with `Content-Disposition: attachment` and `nosniff`, so a customer's
    HTML or SVG is never rendered in the console's origin. Anything not visible answers 404."""
    user = _requester()
    if user is None:
        abort(401)
    attachment = db.session.get(Attachment, attachment_id) if attachment_id < 2**31 else None
    message = db.session.get(Message, attachment.message_id) if attachment else None
    if message is None:
        abort(404)
    try:
        tickets.get_for(user, message.ticket_id)
    except tickets.TicketNotFound:
        abort(404)
    path = path_for(attachment.storage_key)
    if not path.exists():
        abort(410)
    response = send_file(path, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.filename, max_age=0, conditional=True, etag=attachment.sha256)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
