"""Console notifications: short notes for a staff member or for every member of a group."""

from __future__ import annotations

from sqlalchemy import or_, select

from helpdesk.extensions import db
from helpdesk.models import Notification, Ticket, User

TEXT_MAX = 500


def notify_ticket(ticket: Ticket, kind: str, text: str) -> list[Notification]:
    """Add (without committing) a notification about `ticket` for its assignee and its group."""
    rows = []
    if ticket.assignee_id is not None:
        rows.append(Notification(user_id=ticket.assignee_id, ticket_id=ticket.id, kind=kind, text=text[:TEXT_MAX]))
    if ticket.group_id is not None:
        rows.append(Notification(group_id=ticket.group_id, ticket_id=ticket.id, kind=kind, text=text[:TEXT_MAX]))
    db.session.add_all(rows)
    return rows


def recent_for(user: User, limit: int = 50) -> list[Notification]:
    """The newest notifications addressed to `user` or to one of their groups, newest first.

    Supervisors and admins see every group's, as they see every group's tickets.
    """
    query = select(Notification)
    if not user.sees_all_groups:
        query = query.where(or_(Notification.user_id == user.id, Notification.group_id.in_(user.group_ids or [-1])))
    else:
        query = query.where(or_(Notification.user_id == user.id, Notification.group_id.is_not(None)))
    return list(db.session.scalars(query.order_by(Notification.id.desc()).limit(limit)))
