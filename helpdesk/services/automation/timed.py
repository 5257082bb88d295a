"""Time-based automations: every few minutes (a periodic job), each open or solved ticket whose
conditions hold gets the automation's actions, once per crossing.

Conditions are those of triggers plus hours_since_created / updated / pending / solved /
last_customer_message (`gt`, `gte`, `lt`, `lte`). A crossing is named by the moments the hours
count from (when the ticket was created, last updated, became pending, was solved, last heard
from the customer): "pending 3 days -> reminder" fires once per stay in pending; if the customer
answers and the ticket is pending again later, it may fire again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Automation, AutomationFiring, Ticket, TicketEvent
from helpdesk.models.base import utcnow
from helpdesk.services import tickets
from helpdesk.services.automation import actions as automation_actions
from helpdesk.services.automation import conditions, context, effects
from helpdesk.services.automation.conditions import ConditionError
from helpdesk.services.automation.runner import acting
from helpdesk.services.automation.triggers import calendars
from helpdesk.services.transactions import begin_write

BATCH = 500  # tickets per automation per run; the next run goes on
CANDIDATES = ("new", "open", "pending", "on_hold", "solved")
# The column each hours field counts from, where the ticket row has it.
COLUMNS = {"hours_since_created": Ticket.created_at, "hours_since_updated": Ticket.updated_at,
           "hours_since_solved": Ticket.solved_at, "hours_since_last_customer_message": Ticket.last_customer_message_at}


def save(row: Automation | None, data: dict) -> Automation:
    """Create or change an automation (a change may leave fields out); commits. ConditionError."""
    row = row or Automation()
    name = " ".join(str(data.get("name", row.name or "")).split())
    if not 1 <= len(name) <= 200:
        raise ConditionError("name", _("must be 1 to 200 characters"))
    match_all = conditions.validate(data.get("match_all", row.match_all or []), "match_all", hours=True)
    match_any = conditions.validate(data.get("match_any", row.match_any or []), "match_any", hours=True)
    if not any(c["field"] in conditions.HOURS_FIELDS for c in match_all):
        raise ConditionError("match_all", _("an automation needs an hours_since_... condition among match_all"))
    found = automation_actions.validate(data.get("actions", row.actions or []))
    if not found:
        raise ConditionError("actions", _("an automation needs at least one action"))
    row.name, row.match_all, row.match_any, row.actions = name, match_all, match_any, found
    row.position = int(data.get("position", row.position or 0) or 0)
    row.active = bool(data.get("active", True if row.active is None else row.active))
    db.session.add(row)
    db.session.commit()
    return row


def delete(row: Automation) -> None:
    """Remove an automation (its firings go with it); commits."""
    db.session.delete(row)
    db.session.commit()


def ordered() -> list[Automation]:
    """Every automation in the order they run."""
    return list(db.session.scalars(select(Automation).order_by(Automation.position, Automation.id)))


def _candidates(automation: Automation, now: datetime) -> list[int]:
    """Ids of tickets that may match: status and the hours thresholds the row's columns answer."""
    query = select(Ticket.id).where(Ticket.status.in_(CANDIDATES), Ticket.merged_into_id.is_(None))
    for c in automation.match_all:
        if c["field"] == "status" and c["op"] in ("is", "in"):
            query = query.where(Ticket.status.in_(c["value"] if isinstance(c["value"], list) else [c["value"]]))
        elif c["field"] == "hours_since_pending":
            query = query.where(Ticket.status == "pending")
        elif c["field"] in COLUMNS and c["op"] in ("gt", "gte"):
            query = query.where(COLUMNS[c["field"]] <= now - timedelta(hours=float(c["value"])))
    return list(db.session.scalars(query.order_by(Ticket.id).limit(BATCH)))


def pending_since(ticket_ids: list[int]) -> dict[int, datetime]:
    """When each ticket last became pending (from its timeline)."""
    found: dict[int, datetime] = {}
    rows = db.session.execute(select(TicketEvent.ticket_id, TicketEvent.data, TicketEvent.created_at)
                              .where(TicketEvent.ticket_id.in_(ticket_ids), TicketEvent.kind.in_(("changed", "status")))
                              .order_by(TicketEvent.id))
    for ticket_id, data, at in rows:
        change = (data or {}).get("status")
        if isinstance(change, list) and len(change) == 2 and change[1] == "pending":
            found[ticket_id] = at
    return found


def _crossing(automation: Automation, ticket: Ticket, pending: datetime | None) -> str:
    moments = {"hours_since_created": ticket.created_at, "hours_since_updated": ticket.updated_at,
               "hours_since_pending": pending, "hours_since_solved": ticket.solved_at,
               "hours_since_last_customer_message": ticket.last_customer_message_at}
    used = sorted({c["field"] for c in automation.match_all + automation.match_any if c["field"] in moments})
    return ";".join(f"{f[12:]}={moments[f].isoformat() if moments[f] else '-'}" for f in used)[:200]


def run_one(automation: Automation, now: datetime | None = None) -> int:
    """Apply `automation` to every ticket it matches now and has not acted on for this crossing;
    returns how many it acted on."""
    now = now or utcnow()
    check = conditions.compile_match(automation.match_all, automation.match_any, calendars())
    ids = _candidates(automation, now)
    pending = pending_since(ids) if ids else {}
    acted = 0
    for ticket_id in ids:
        ticket = db.session.get(Ticket, ticket_id)
        ctx = context.add_hours(context.for_ticket(ticket, now=now), ticket, pending.get(ticket_id))
        if check(ctx) and _act(automation, ticket, _crossing(automation, ticket, pending.get(ticket_id))):
            acted += 1
    return acted


def _act(automation: Automation, ticket: Ticket, crossing: str) -> bool:
    source = (automation.id, automation.name, list(automation.actions))
    with acting():
        begin_write()
        if db.session.scalar(select(AutomationFiring.id).where(AutomationFiring.automation_id == source[0],
                                                                AutomationFiring.ticket_id == ticket.id,
                                                                AutomationFiring.crossing == crossing)):
            db.session.rollback()
            return False
        now = utcnow()
        db.session.add(AutomationFiring(automation_id=source[0], ticket_id=ticket.id, crossing=crossing, created_at=now))
        db.session.add(TicketEvent(ticket_id=ticket.id, kind="automation", created_at=now, data={
            "automation_id": source[0], "name": source[1], "why": "time"}))  # timeline.AUTOMATION_WHY
        changes = automation_actions.fold([a for a in source[2] if a["type"] in automation_actions.CHANGES],
                                          {"tags": ticket.tags}, {})
        try:
            if changes:
                tickets.update_ticket(ticket, None, **changes)
            else:
                db.session.commit()
        except tickets.TicketError as exc:
            db.session.rollback()
            begin_write()
            db.session.add(AutomationFiring(automation_id=source[0], ticket_id=ticket.id, crossing=crossing, created_at=now))
            db.session.add(TicketEvent(ticket_id=ticket.id, kind="trigger_failed", created_at=now, data={
                "name": source[1], "error": str(exc)}))
            db.session.commit()
            return True
        except IntegrityError:
            db.session.rollback()
            return False
        for action in source[2]:
            if action["type"] not in automation_actions.CHANGES:
                effects.perform(ticket, action, effects.Source(source[0], source[1]), "automation")
    return True


def run_all(now: datetime | None = None) -> dict[int, int]:
    """Every active automation once, in order: {automation id: tickets acted on}."""
    done = {}
    for automation_id in db.session.scalars(select(Automation.id).where(Automation.active)
                                            .order_by(Automation.position, Automation.id)).all():
        automation = db.session.get(Automation, automation_id)
        done[automation_id] = run_one(automation, now)
    return done
