"""Console notifications: short notes for a staff member or for every member of a group.

Personal notifications (a mention in an internal note, a ticket assigned to me, a customer's reply
on my ticket, an SLA warning or breach on my ticket) have a read state and, by the staff member's
own preference, also go out by e-mail. A group's notifications are for every member and carry none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.i18n import in_language_of
from helpdesk.models import Message, Notification, NotificationPreference, Ticket, User
from helpdesk.models.base import utcnow
from helpdesk.services import events, mentions, tickets

TEXT_MAX = 500
MAX_ID = 2**31 - 1
SUBJECT_IN_TEXT = 80  # characters of a ticket's subject quoted in a notification


class NotificationNotFound(LookupError):
    """No such notification, or not one of this staff member's."""


@dataclass(frozen=True)
class NotificationPage:
    items: list[Notification]
    next_cursor: int | None  # the id to pass as `before` for the next (older) page


def notify_ticket(ticket: Ticket, kind: str, text: str, *, assignee_text: str | None = None) -> list[Notification]:
    """Add (without committing) a notification about `ticket` for its assignee and its group
    (`assignee_text`: the assignee's own wording, in their language, when it differs)."""
    rows = [Notification(**values) for values in ticket_rows(ticket, kind, text, assignee_text=assignee_text)]
    db.session.add_all(rows)
    return rows


def ticket_rows(ticket: Ticket, kind: str, text: str, at: datetime | None = None, *,
                assignee_text: str | None = None) -> list[dict]:
    """The notification rows (column values) about `ticket` for its assignee and its group, for a
    caller that inserts many at once; `at` sets their time (default: the column's);
    `assignee_text` is the assignee's own wording (their language) when it differs from `text`."""
    rows = []
    for column, value, words in (("user_id", ticket.assignee_id, assignee_text or text),
                                 ("group_id", ticket.group_id, text)):
        if value is not None:
            rows.append({"user_id": None, "group_id": None, column: value, "ticket_id": ticket.id, "kind": kind,
                         "text": words[:TEXT_MAX]} | ({"created_at": at} if at is not None else {}))
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


def personal_page(user: User, *, unread_only: bool = False, before: int | None = None,
                  limit: int = 25) -> NotificationPage:
    """`user`'s own notifications, newest first; `before` (an id) continues an earlier page."""
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if before is not None:
        query = query.where(Notification.id < before)
    rows = list(db.session.scalars(query.order_by(Notification.id.desc()).limit(limit + 1)))
    items = rows[:limit]
    return NotificationPage(items, items[-1].id if len(rows) > limit else None)


def unread_count(user: User) -> int:
    """How many of `user`'s own notifications are unread (the navigation's badge)."""
    query = select(func.count()).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    return db.session.scalar(query)


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of `user`'s notifications read (again is harmless); commits.
    NotificationNotFound for any other id, someone else's included."""
    row = db.session.get(Notification, notification_id) if 0 < notification_id <= MAX_ID else None
    if row is None or row.user_id != user.id:
        raise NotificationNotFound(notification_id)
    row.read_at = row.read_at or utcnow()
    db.session.commit()
    return row


def mark_all_read(user: User) -> int:
    """Mark every unread notification of `user` read; commits; how many there were."""
    result = db.session.execute(update(Notification)
                                .where(Notification.user_id == user.id, Notification.read_at.is_(None))
                                .values(read_at=utcnow()))
    db.session.commit()
    return result.rowcount


def wants_email(user_id: int) -> bool:
    """Whether this staff member asked for their notifications by e-mail too."""
    return bool(db.session.scalar(select(NotificationPreference.email).where(NotificationPreference.user_id == user_id)))


def set_email(user: User, email: bool) -> None:
    """Record whether `user` wants their notifications by e-mail too; commits."""
    preference = db.session.get(NotificationPreference, user.id)
    if preference is None:
        db.session.add(NotificationPreference(user_id=user.id, email=bool(email)))
    else:
        preference.email = bool(email)
    db.session.commit()


def _about(ticket: Ticket) -> str:
    subject = ticket.subject if len(ticket.subject) <= SUBJECT_IN_TEXT else ticket.subject[:SUBJECT_IN_TEXT - 1] + "…"
    return f"#{ticket.number} {subject}"


def _personal(user_id: int, ticket: Ticket, kind: str, words) -> Notification:
    """A notification for `user_id` whose text `words()` writes in that person's language (it is
    stored as text: the list and the e-mail show it as written)."""
    with in_language_of(db.session.get(User, user_id)):
        text = words()
    return Notification(user_id=user_id, ticket_id=ticket.id, kind=kind, text=text[:TEXT_MAX])


def _from_message(payload: dict, ticket: Ticket) -> list[Notification]:
    message = db.session.get(Message, payload["message_id"])
    if message is None or message.ticket_id != ticket.id:
        return []  # moved by a merge since: the target's events speak for it
    if message.kind == "note":
        author = message.author
        return [_personal(user.id, ticket, "mention",
                          lambda: _("%(name)s mentioned you on %(ticket)s", name=author.name if author else _("Someone"),
                                    ticket=_about(ticket)))
                for user in mentions.mentioned_in(message.body_text, ticket) if user.id != message.author_id]
    if message.kind == "inbound" and ticket.assignee_id is not None:
        first = db.session.scalar(select(func.min(Message.id)).where(Message.ticket_id == ticket.id))
        if first != message.id:  # a ticket's opening message is its creation, not a reply
            return [_personal(ticket.assignee_id, ticket, "customer_reply",
                              lambda: _("%(name)s replied on %(ticket)s", name=ticket.customer.name,
                                        ticket=_about(ticket)))]
    return []


def _assigned(payload: dict, ticket: Ticket, name: str) -> list[Notification]:
    if name == "ticket.created":
        assignee_id = payload.get("assignee_id")
    else:
        assignee_id = ((payload.get("changes") or {}).get("assignee_id") or [None, None])[1]
    if assignee_id is None or assignee_id == payload.get("actor_id") or assignee_id != ticket.assignee_id:
        return []  # nobody new, self-assigned, or assigned elsewhere again since
    actor = db.session.get(User, payload["actor_id"]) if payload.get("actor_id") else None

    def words() -> str:
        if actor is None:
            return _("%(ticket)s was assigned to you", ticket=_about(ticket))
        return _("%(ticket)s was assigned to you by %(name)s", ticket=_about(ticket), name=actor.name)

    return [_personal(assignee_id, ticket, "assigned", words)]


def is_interesting(name: str, payload: dict) -> bool:
    """Whether a domain event may notify anyone: cheap, from the payload alone, so that most
    events (every inbound message of an unassigned ticket, say) cost no job."""
    if name == "message.created":
        return payload.get("kind") == "note" or (payload.get("kind") == "inbound" and payload.get("assignee_id"))
    if name == "ticket.updated":
        return "assignee_id" in (payload.get("changes") or {})
    if name == "ticket.created":
        return payload.get("assignee_id") is not None
    return False


def for_event(name: str, payload: dict) -> list[Notification]:
    """Write the personal notifications a committed domain event calls for, commit, and publish
    `notification.created` for each; returns them (empty when the event concerns nobody)."""
    ticket = db.session.get(Ticket, payload.get("ticket_id") or 0)
    if ticket is None or not is_interesting(name, payload):
        return []
    rows = _from_message(payload, ticket) if name == "message.created" else _assigned(payload, ticket, name)
    rows = [r for r in rows if _may_see(r.user_id, ticket)]
    if not rows:
        return []
    db.session.add_all(rows)
    db.session.commit()
    for row in rows:
        publish_created(row)
    return rows


def _may_see(user_id: int, ticket: Ticket) -> bool:
    user = db.session.get(User, user_id)
    return user is not None and user.active and tickets.can_see(user, ticket)


def sla_notification_ids(payloads: list[dict], kind: str) -> list[int]:
    """The assignees' notifications the SLA scan wrote for the crossings in `payloads` (ticket_id,
    assignee_id; `kind` sla.warning or sla.breached) whose assignee wants e-mail: one query for who
    wants it, then one per crossing of theirs. Payloads without an assignee count for nothing."""
    assignees = {p["assignee_id"] for p in payloads if p.get("assignee_id") is not None}
    if not assignees:
        return []
    wanting = set(db.session.scalars(select(NotificationPreference.user_id).where(
        NotificationPreference.user_id.in_(assignees), NotificationPreference.email.is_(True))))
    ids = []
    for payload in payloads:
        if payload.get("assignee_id") in wanting:
            found = db.session.scalar(select(func.max(Notification.id)).where(
                Notification.user_id == payload["assignee_id"], Notification.ticket_id == payload["ticket_id"],
                Notification.kind == kind))
            if found is not None:
                ids.append(found)
    return ids


def publish_created(row: Notification) -> None:
    """Tell the recipient's console (their `user:<id>` room) about a committed notification."""
    events.publish("notification.created", {"user_id": row.user_id, "notification_id": row.id,
                                            "ticket_id": row.ticket_id, "kind": row.kind, "text": row.text})


def mail_for(notification_id: int) -> tuple[str, str, str] | None:
    """(address, subject, body) of the e-mail for a personal notification whose recipient wants
    e-mail; None otherwise (a group's, an opted-out or deactivated recipient, a read one)."""
    row = db.session.get(Notification, notification_id)
    if row is None or row.user_id is None or row.read_at is not None or not wants_email(row.user_id):
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return user.email, f"[helpdesk] {row.text}"[:200], row.text
