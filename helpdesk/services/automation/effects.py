"""The actions of a trigger or automation that are not property changes: notify staff, reply
to the customer from a template, apply a macro, call a webhook. Each commits on its own and
publishes its own events; one that cannot act says why in the ticket's timeline."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from helpdesk.extensions import db
from helpdesk.models import Macro, Notification, Ticket, TicketEvent, User
from helpdesk.models.base import utcnow
from helpdesk.services import events, notifications, replies, tickets
from helpdesk.services.macros import apply as macro_apply
from helpdesk.services.macros.text import fill
from helpdesk.services.transactions import begin_write

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _System:
    """Who fills `{{agent.name}}` in a trigger's reply: nobody in particular."""

    id: None = None
    name: str = ""


@dataclass(frozen=True)
class Source:
    """The trigger or automation an action belongs to, as the timeline names it."""

    id: int
    name: str


def _begin() -> None:
    # A subscriber of the change just committed may have left its own rows in this session
    # (immediate jobs share it): they go first.
    session = db.session()
    if session.new or session.dirty or session.deleted:
        session.commit()
    begin_write()


def _note_failure(ticket_id: int, source, action: dict, reason: str) -> None:
    db.session.rollback()
    _begin()
    db.session.add(TicketEvent(ticket_id=ticket_id, kind="trigger_failed", created_at=utcnow(), data={
        "trigger_id": source.id, "name": source.name, "action": action["type"], "error": reason[:300]}))
    db.session.commit()


def _notify(ticket: Ticket, action: dict) -> None:
    _begin()
    text = fill(action["text"], ticket, _System())
    if action.get("user_ids"):
        rows = [Notification(user_id=u, ticket_id=ticket.id, kind="trigger", text=text[:notifications.TEXT_MAX])
                for u in action["user_ids"] if (user := db.session.get(User, u)) is not None and user.active
                and tickets.can_see(user, ticket)]
        db.session.add_all(rows)
    else:
        rows = notifications.notify_ticket(ticket, "trigger", text)
    db.session.commit()
    for row in rows:
        if row.user_id is not None:
            notifications.publish_created(row)


def _reply(ticket: Ticket, action: dict) -> None:
    _begin()
    message, payload = replies.stage_automated(ticket, fill(action["body"], ticket, _System()))
    db.session.commit()
    events.publish("message.created", payload)


def _macro(ticket: Ticket, action: dict, source) -> None:
    macro = db.session.get(Macro, action["macro_id"])
    if macro is None:
        return _note_failure(ticket.id, source, action, f"macro {action['macro_id']} no longer exists")
    # A macro acts as somebody (its reply's author, `assign_to_me`): the assignee, else its owner.
    agent = ticket.assignee or macro.owner
    if agent is None:
        return _note_failure(ticket.id, source, action, "a macro needs an assignee or an owner to act as")
    db.session.commit()  # end the read: apply's services begin their own writes
    macro_apply.apply(ticket, macro, agent)


def _webhook(ticket: Ticket, action: dict, source, event: str) -> None:
    from helpdesk.services.automation import webhooks

    webhooks.queue_for_action(action["webhook_id"], ticket, event, source)


def perform(ticket: Ticket, action: dict, source, event: str = "") -> None:
    """Do one non-property `action` of trigger or automation `source` (anything with id and name)
    on `ticket`. Failures are written to the timeline, never raised: the next action still runs."""
    try:
        if action["type"] == "notify":
            _notify(ticket, action)
        elif action["type"] == "reply":
            _reply(ticket, action)
        elif action["type"] == "macro":
            _macro(ticket, action, source)
        elif action["type"] == "webhook":
            _webhook(ticket, action, source, event)
    except (tickets.TicketError, replies.ReplyError) as exc:
        _note_failure(ticket.id, source, action, str(exc))
    except Exception as exc:  # noqa: BLE001 - one action's failure must not stop the others
        log.exception("automation %s action %s on ticket %s failed", source.id, action["type"], ticket.id)
        _note_failure(ticket.id, source, action, exc.__class__.__name__)
