"""The chat widget's HTTP side, called from customers' sites: the script itself, file uploads
(authorised by the visitor token, allowed only from the widget's origins), file links, and the
link that confirms a visitor's e-mail address. Outside CSRF: nothing here uses a cookie."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, send_file

from helpdesk.extensions import csrf, socketio
from helpdesk.security import bearer_token
from helpdesk.services.attachments import path_for
from helpdesk.services.webchat import messages as webchat_messages
from helpdesk.services.webchat import visitors as webchat_visitors
from helpdesk.services.webchat import widgets as webchat_widgets
from helpdesk.services.webchat.messages import ChatMessageError
from helpdesk.web.attachments import as_download
from helpdesk.webchat import delivery, presence

bp = Blueprint("widget", __name__)
csrf.exempt(bp)

DIST = Path(__file__).resolve().parent.parent / "static" / "dist"


def _script(name: str, mimetype: str) -> Response:
    path = DIST / name
    if not path.exists():
        abort(404, "the widget is not built: run `npm run build`")
    response = send_file(path, mimetype=mimetype, max_age=300, conditional=True)
    # Loaded by other sites' pages: readable from any origin, embeddable under their COEP.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@bp.get("/widget.js")
def script():
    """The widget: one script a customer's site loads with `<script src=... data-channel=KEY async>`."""
    return _script("widget.js", "text/javascript")


@bp.get("/widget.js.map")
def source_map():
    return _script("widget.js.map", "application/json")


def _error(status: int, message: str, field: str | None = None):
    return jsonify({"ok": False, "error": message, "field": field}), status


@bp.after_request
def _cors(response: Response) -> Response:
    """Uploads answer (and are pre-flighted) for the origins the widget named in the URL allows."""
    key = (request.view_args or {}).get("key")
    origin = request.headers.get("Origin")
    account = webchat_widgets.widget_for_key(key) if key else None
    if account is not None and webchat_widgets.origin_allowed(account, origin):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "POST"
        response.headers["Access-Control-Allow-Headers"] = "Authorization"
        response.headers["Access-Control-Max-Age"] = "600"
    response.vary.add("Origin")
    return response


@bp.post("/widget/<key>/upload")
def upload(key: str):
    """A visitor's file (multipart `file`, `client_id`, optional `text`), with the visitor token
    as `Authorization: Bearer`. Answers {ok, id, ticket_id}; 4xx JSON with the reason otherwise."""
    account = webchat_widgets.widget_for_key(key)
    if account is None:
        return _error(404, "unknown widget")
    if not webchat_widgets.origin_allowed(account, request.headers.get("Origin")):
        return _error(403, "this site may not embed the widget")
    visitor_id = webchat_visitors.read_token(account, bearer_token())
    if visitor_id is None:
        return _error(401, "invalid visitor token")
    if not presence.allow("HELPDESK_WEBCHAT_MESSAGE_RATE", visitor_id):
        return _error(429, "too many messages; wait a moment")
    sent = request.files.get("file")
    if sent is None:
        return _error(400, "no file", "file")
    try:
        file = webchat_messages.check_upload(sent.filename or "file", sent.read(current_app.config["HELPDESK_WEBCHAT_UPLOAD_BYTES"] + 1))
        result = webchat_messages.post(account, visitor_id, text=request.form.get("text", ""),
                                       client_id=request.form.get("client_id", ""), files=(file,))
    except ChatMessageError as exc:
        return _error(413 if "larger" in exc.message else 400, exc.message, exc.field)
    item = webchat_messages.item(result.message_id, visitor_id)
    if not result.duplicate:
        socketio.emit("message_added", item, to=delivery.room_of(account.source, visitor_id), namespace=delivery.NAMESPACE)
    return jsonify({"ok": True, "id": result.message_id, "ticket_id": result.ticket_id, "item": item})


@bp.get("/widget/files/<token>")
def file(token: str):
    """A file of a chat, by the signed link the widget was given (always as a download)."""
    attachment = webchat_messages.attachment_for_link(token)
    if attachment is None:
        abort(404)
    return as_download(path_for(attachment.storage_key), attachment.content_type, attachment.filename, attachment.sha256)


@bp.get("/widget/confirm/<token>")
def confirm(token: str):
    """The link e-mailed to a visitor: their address now belongs to their chat."""
    address = webchat_visitors.confirm(token)
    return render_template("widget/confirmed.html", address=address), 200 if address else 400
