"""The composer's background saves: the agent's draft on a ticket, kept on the server as they type.

JSON in and out (the page script calls these with the session and the CSRF header); the draft is
rendered into the composer by the ticket page itself, so a reload restores it without a script.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required

from helpdesk.services import drafts
from helpdesk.services.replies import ReplyError
from helpdesk.web.common import ticket_or_404

bp = Blueprint("composer", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every save needs a signed-in staff member."""


def draft_json(draft) -> dict:
    """What the page and the API see of a draft (an empty body when there is none)."""
    if draft is None:
        return {"body": "", "internal": False, "updated_at": None}
    return {"body": draft.body, "internal": draft.internal, "updated_at": draft.updated_at.isoformat() + "Z"}


@bp.get("/tickets/<int:ticket_id>/draft")
def show_draft(ticket_id: int):
    """The signed-in agent's draft on the ticket (another tab or device may have saved it)."""
    return jsonify(draft_json(drafts.draft_of(ticket_or_404(ticket_id), current_user)))


@bp.put("/tickets/<int:ticket_id>/draft")
def save_draft(ticket_id: int):
    """Save `{"body": "...", "internal": false}`; a blank body discards the draft."""
    ticket = ticket_or_404(ticket_id)
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("body"), str) or \
            not isinstance(data.get("internal", False), bool):
        return jsonify(field="body", message='send {"body": "<text>", "internal": false}'), 400
    try:
        draft = drafts.save(ticket, current_user, body=data["body"], internal=data.get("internal", False))
    except ReplyError as exc:
        return jsonify(field=exc.field, message=exc.message), 422
    return jsonify(draft_json(draft))


@bp.delete("/tickets/<int:ticket_id>/draft")
def discard_draft(ticket_id: int):
    """Throw the draft away."""
    drafts.discard(ticket_or_404(ticket_id), current_user)
    return "", 204
