"""Drafts: what an agent has typed on a ticket and not sent, kept on the server as they type so
that a reload, a property change or another device never loses it. Sending clears it
(`replies.add_reply` deletes the author's draft in the reply's own transaction)."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Draft, Ticket, User
from helpdesk.models.base import utcnow
from helpdesk.services.replies import BODY_MAX, ReplyError
from helpdesk.services.transactions import begin_write


def draft_of(ticket: Ticket, user: User) -> Draft | None:
    """`user`'s unsent draft on `ticket`, or None."""
    return db.session.scalar(select(Draft).where(Draft.ticket_id == ticket.id, Draft.user_id == user.id))


def save(ticket: Ticket, user: User, *, body: str, internal: bool = False) -> Draft | None:
    """Store `body` as `user`'s draft on `ticket` (replacing the previous one) and commit; a blank
    body discards the draft and returns None. ReplyError('body') when it is too long to send."""
    if len(body) > BODY_MAX:
        raise ReplyError("body", _("must be at most %(body_max)s characters", body_max=BODY_MAX))
    if not body.strip():
        discard(ticket, user)
        return None
    begin_write()
    now = utcnow()
    # An update first: saves come every few seconds while typing, and the row exists after the first.
    changed = db.session.execute(
        update(Draft).where(Draft.ticket_id == ticket.id, Draft.user_id == user.id)
        .values(body=body, internal=internal, updated_at=now)).rowcount
    if not changed:
        db.session.add(Draft(ticket_id=ticket.id, user_id=user.id, body=body, internal=internal, updated_at=now))
    try:
        db.session.commit()
    except IntegrityError:  # another tab's first save won the insert (PostgreSQL): this one updates it
        db.session.rollback()
        db.session.execute(update(Draft).where(Draft.ticket_id == ticket.id, Draft.user_id == user.id)
                           .values(body=body, internal=internal, updated_at=now))
        db.session.commit()
    return Draft(ticket_id=ticket.id, user_id=user.id, body=body, internal=internal, updated_at=now)


def discard(ticket: Ticket, user: User) -> bool:
    """Delete `user`'s draft on `ticket` and commit; True when there was one."""
    begin_write()
    deleted = db.session.execute(delete(Draft).where(Draft.ticket_id == ticket.id, Draft.user_id == user.id)).rowcount
    db.session.commit()
    return bool(deleted)
