"""Time-based automations: pending 3 days -> a reminder, solved 4 days -> closed, each once per
crossing, evaluated by the periodic job's service at a given moment."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Message, Ticket, TicketEvent
from helpdesk.models.base import clock_at, utcnow
from helpdesk.services import tickets
from helpdesk.services.automation import timed


def test_pending_three_days_reminds_once_per_stay_and_solved_four_days_closes(app, groups, inbound):
    reminder = timed.save(None, {"name": "Nudge after 3 days pending",
                                 "match_all": [{"field": "hours_since_pending", "op": "gte", "value": 72}],
                                 "actions": [{"type": "reply", "body": "Any news on #{{ticket.number}}?"},
                                             {"type": "add_tags", "tags": ["nudged"]}]})
    timed.save(None, {"name": "Close solved after 4 days", "match_all": [
        {"field": "status", "op": "is", "value": "solved"}, {"field": "hours_since_solved", "op": "gt", "value": 96}],
        "actions": [{"type": "set", "field": "status", "value": "closed"}]})
    start = utcnow() - timedelta(days=10)
    with clock_at(start):
        waiting = db.session.get(Ticket, inbound(email="a@example.com", thread_key="a").ticket_id)
        done = db.session.get(Ticket, inbound(email="b@example.com", thread_key="b").ticket_id)
        tickets.update_ticket(waiting, None, status="pending")
        tickets.update_ticket(done, None, status="solved")
    fresh = db.session.get(Ticket, inbound(email="c@example.com", thread_key="c").ticket_id)
    tickets.update_ticket(fresh, None, status="pending")  # pending only now: not yet

    assert timed.run_all() == {reminder.id: 1, reminder.id + 1: 1}
    assert timed.run_all() == {reminder.id: 0, reminder.id + 1: 0}  # the same crossing never twice
    db.session.expire_all()
    waiting, done = db.session.get(Ticket, waiting.id), db.session.get(Ticket, done.id)
    assert waiting.tags == ["nudged"] and done.status == "closed"
    assert db.session.get(Ticket, fresh.id).tags == []
    sent = db.session.scalars(select(Message.body_text).where(Message.ticket_id == waiting.id, Message.kind == "outbound")).all()
    assert sent == [f"Any news on #{waiting.id}?"]
    why = db.session.scalars(select(TicketEvent.data).where(TicketEvent.ticket_id == waiting.id,
                                                            TicketEvent.kind == "automation")).all()
    assert [d["name"] for d in why] == ["Nudge after 3 days pending"]

    # The customer answers (open again), the agent sets it pending once more: a new crossing, 3 days on.
    inbound(email="a@example.com", thread_key="a", body="still broken")
    tickets.update_ticket(db.session.get(Ticket, waiting.id), None, status="pending")
    assert timed.run_all()[reminder.id] == 0
    assert timed.run_all(now=utcnow() + timedelta(days=3, minutes=1))[reminder.id] == 2  # it, and `fresh` now too
