"""Running triggers on a committed domain event: evaluate them in order against the ticket, record
each firing once (per trigger, ticket and event), then act through the services an agent's own
action goes through. Changes made while triggers act (their `ticket.updated`, their replies) run
no triggers themselves: a trigger fires at most once per ticket and event, and nothing loops.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from helpdesk.extensions import db
from helpdesk.models import Ticket, TicketEvent, TriggerFiring
from helpdesk.models.base import utcnow
from helpdesk.services import tickets
from helpdesk.services.automation import effects, plans, triggers
from helpdesk.services.automation.actions import CHANGES, fold
from helpdesk.services.transactions import begin_write

log = logging.getLogger(__name__)
_acting: ContextVar[bool] = ContextVar("automation_acting", default=False)


@contextmanager
def acting() -> Iterator[None]:
    """Within it, domain events come from automation's own actions: they start no triggers."""
    token = _acting.set(True)
    try:
        yield
    finally:
        _acting.reset(token)


def is_acting() -> bool:
    """True while triggers or automations are acting (their events must not trigger again)."""
    return _acting.get()


def trigger_event(name: str, payload: dict) -> tuple[str, str] | None:
    """The trigger event (and its key) a domain event is, or None when triggers ignore it."""
    if "ticket_id" not in payload:
        return None
    if name == "ticket.created":
        if payload.get("triggers") == []:
            return None  # opened by ingestion, whose matched triggers had nothing more to do
        return "ticket.created", "created"
    if name == "ticket.updated":
        return ("ticket.updated", payload.get("event_key") or uuid.uuid4().hex) if payload.get("changes") else None
    if name == "message.created":
        key = f"message:{payload.get('message_id')}"
        if payload.get("kind") == "inbound":
            return None if payload.get("new_ticket") else ("customer.replied", key)
        if payload.get("kind") == "outbound" and payload.get("author_id") is not None:
            return "agent.replied", key
        return None
    if name in ("sla.warning", "sla.breached"):
        return name, f"sla:{payload.get('target')}:{payload.get('due_at')}"
    if name == "survey.answered":
        return name, f"survey:{payload.get('survey_id')}"
    return None


def run(event: str, key: str, payload: dict) -> list[int]:
    """Run the `event` triggers for the ticket in `payload`; returns the ids of those that fired."""
    decided = payload.get("triggers") if event == "ticket.created" else None
    if decided is not None:
        # Matched at intake (services.rules.triage), which applied their priority and group already.
        matched = [t for t in triggers.compiled(event) if t.id in decided]
    else:
        message_id = payload.get("message_id") if event in ("customer.replied", "agent.replied") else None
        matched = plans.matching(event, payload["ticket_id"], message_id)
    if not matched:
        return []
    ticket = db.session.get(Ticket, payload["ticket_id"])
    if ticket is None or ticket.merged_into_id is not None:
        return []
    return fire(ticket, matched, event, key, intake_done=decided is not None)


def _firsts(ticket_id: int, key: str, matched: list) -> list:
    done = set(db.session.scalars(select(TriggerFiring.trigger_id).where(TriggerFiring.ticket_id == ticket_id,
                                                                         TriggerFiring.event_key == key)))
    return [t for t in matched if t.id not in done]


def _intake(action: dict) -> bool:
    return action["type"] == "set" and action["field"] in ("priority", "group_id")


def fire(ticket: Ticket, matched: list, event: str, key: str, *, intake_done: bool = False) -> list[int]:
    """Record each of `matched` as fired on `ticket` for (`event`, `key`) unless it was already,
    with a timeline line each, and act. Returns the ids that fired now."""
    with acting():
        begin_write()
        fresh = _firsts(ticket.id, key, matched)
        if not fresh:
            db.session.rollback()
            return []
        now = utcnow()
        changes: dict = {}
        later: list[tuple] = []
        for trigger in fresh:
            db.session.add(TriggerFiring(trigger_id=trigger.id, ticket_id=ticket.id, event_key=key, created_at=now))
            db.session.add(TicketEvent(ticket_id=ticket.id, kind="trigger", created_at=now, data={
                "trigger_id": trigger.id, "name": trigger.name, "event": event}))
            acts = [a for a in trigger.actions if not (intake_done and _intake(a))]
            fold([a for a in acts if a["type"] in CHANGES], {"tags": ticket.tags}, changes)
            later += [(trigger, a) for a in acts if a["type"] not in CHANGES]
        ids = [t.id for t in fresh]
        try:
            if changes:
                tickets.update_ticket(ticket, None, **changes)  # commits the firings with the change
            else:
                db.session.commit()
        except tickets.TicketError as exc:
            db.session.rollback()
            _failed(ticket.id, fresh, event, key, exc.message if exc.field == "status" else str(exc))
            return ids
        except IntegrityError:
            db.session.rollback()  # another worker recorded the same firing first: it acts
            return []
        for trigger, action in later:
            effects.perform(ticket, action, trigger, event)
        return ids


def _failed(ticket_id: int, fresh: list, event: str, key: str, reason: str) -> None:
    """The firings stand (a trigger never retries its event), with why their change was refused."""
    now = utcnow()
    for trigger in fresh:
        db.session.add(TriggerFiring(trigger_id=trigger.id, ticket_id=ticket_id, event_key=key, created_at=now))
        db.session.add(TicketEvent(ticket_id=ticket_id, kind="trigger_failed", created_at=now, data={
            "trigger_id": trigger.id, "name": trigger.name, "event": event, "error": reason}))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
    log.warning("triggers %s on ticket %s: change refused: %s", [t.id for t in fresh], ticket_id, reason)
