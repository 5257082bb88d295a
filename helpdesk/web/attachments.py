"""Attachment downloads: only for staff who may see the ticket, as a download; images and PDFs also\ninline, for a thumbnail and the browser's PDF viewer."""

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


# Shown in the browser instead of downloaded: raster images (a thumbnail on the ticket page) and
# PDFs (the browser's viewer), each only when the bytes are what the type says. SVG never: it runs script.
INLINE_MAGIC = {"image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",),
                "image/gif": (b"GIF87a", b"GIF89a"), "image/webp": (b"RIFF",), "application/pdf": (b"%PDF-",)}


def viewable(content_type: str, path) -> bool:
    """Whether a stored file may be shown inline: an allowed type whose bytes start as that type does."""
    magic = INLINE_MAGIC.get((content_type or "").lower())
    if not magic or not path.exists():
        return False
    with path.open("rb") as handle:
        head = handle.read(12)
    if content_type == "image/webp" and head[8:12] != b"WEBP":
        return False
    return head.startswith(magic)


def as_download(path, mimetype: str, name: str, etag: str | None, *, inline: bool = False):
    if not path.exists():
        abort(410)
    response = send_file(path, mimetype=mimetype, as_attachment=not inline, download_name=name, max_age=0,
                         conditional=True, etag=etag)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # A sandboxed document cannot start the browser's PDF viewer; a PDF runs no script in this origin.
    sandbox = "" if inline and mimetype == "application/pdf" else "; sandbox"
    response.headers["Content-Security-Policy"] = f"default-src 'none'{sandbox}"
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


@bp.get("/attachments/<int:attachment_id>/view")
def view(attachment_id: int):
    """An image or PDF shown by the browser (`Content-Disposition: inline`), with the download's
    headers; any other file, or one whose bytes are not what its type says, answers 404."""
    user = _requester()
    if user is None:
        abort(401)
    attachment = db.session.get(Attachment, attachment_id) if attachment_id < 2**31 else None
    if attachment is None:
        abort(404)
    _visible_message(user, attachment.message_id)
    path = path_for(attachment.storage_key)
    if not viewable(attachment.content_type.lower(), path):
        abort(404)
    return as_download(path, attachment.content_type.lower(), attachment.filename, attachment.sha256, inline=True)
