"""Clocks of stored tickets: due times on the row follow every change (pause, reopen, priority)."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Message, SlaOutcome, Ticket
from helpdesk.services import replies, tickets
from helpdesk.services.sla import clocks as sla_clocks
from helpdesk.services.sla import config as sla_config
from tests.sla_app.conftest import MIN, T0, H, calendar_time


def outcomes(ticket_id: int) -> dict[str, bool]:
    rows = db.session.scalars(select(SlaOutcome).where(SlaOutcome.ticket_id == ticket_id))
    return {row.target: row.met for row in rows}


def test_a_new_ticket_gets_the_due_times_of_its_policy(policy, inbound, ticket_of, groups):
    standard = policy()
    ticket = ticket_of(inbound())
    assert ticket.sla_policy_id == standard.id
    assert (ticket.first_response_due_at, ticket.resolution_due_at) == (T0 + H, T0 + 8 * H)
    assert ticket.next_response_due_at is None
    assert (ticket.sla_state, ticket.sla_due_at) == ("ok", T0 + H)
    assert ticket.sla_check_at == T0 + 48 * MIN  # 80% of the first response's hour


def test_no_policy_no_clock(app, inbound, ticket_of, groups):
    ticket = ticket_of(inbound())
    assert (ticket.sla_policy_id, ticket.sla_state, ticket.first_response_due_at, ticket.sla_check_at) == (
        None, "none", None, None)


def test_pending_pauses_the_resolution_and_the_customer_resumes_it(policy, inbound, ticket_of, make_user, clock, groups):
    policy()
    agent = make_user()
    ticket = ticket_of(inbound(email="pause@example.com"))
    clock.at(T0 + 10 * MIN)
    replies.add_reply(ticket, agent, body="Could you send a screenshot?")
    clock.at(T0 + H)
    tickets.update_ticket(ticket_of(ticket.id), agent, status="pending")
    paused = ticket_of(ticket.id)
    assert (paused.sla_state, paused.resolution_due_at, paused.sla_check_at) == ("paused", None, None)
    assert outcomes(ticket.id) == {"first_response": True}
    clock.at(T0 + 3 * H)  # two hours later the customer answers: the ticket reopens, the clock runs again
    inbound(email="pause@example.com", body="Here it is", thread_key=None, ticket_hint=ticket.id)
    resumed = ticket_of(ticket.id)
    assert resumed.status == "open"
    assert resumed.resolution_due_at == T0 + 10 * H  # 8h goal + 2h paused
    assert resumed.sla_state == "ok"


def test_solving_stops_the_resolution_and_reopening_resumes_it(policy, inbound, ticket_of, make_user, clock, groups):
    policy()
    agent = make_user()
    ticket = ticket_of(inbound())
    clock.at(T0 + 30 * MIN)
    replies.add_reply(ticket, agent, body="Fixed.")
    clock.at(T0 + 2 * H)
    tickets.update_ticket(ticket_of(ticket.id), agent, status="solved")
    solved = ticket_of(ticket.id)
    assert (solved.sla_state, solved.resolution_due_at, solved.sla_check_at) == (None, None, None)
    assert outcomes(ticket.id) == {"first_response": True, "resolution": True}
    clock.at(T0 + 5 * H)
    tickets.update_ticket(ticket_of(ticket.id), agent, status="open")
    reopened = ticket_of(ticket.id)
    assert reopened.resolution_due_at == T0 + 11 * H  # the 3 hours solved do not count
    assert outcomes(ticket.id) == {"first_response": True}  # resolution is no longer final


def test_raising_the_priority_applies_the_stricter_goal_from_creation(policy, inbound, ticket_of, make_user, clock,
                                                                      groups):
    policy("Urgent", targets=calendar_time(first=15 * 60, resolution=2 * 3600), conditions={"priorities": ["urgent"]})
    standard = policy("Standard", position=2)
    ticket = ticket_of(inbound())
    assert (ticket.sla_policy_id, ticket.first_response_due_at) == (standard.id, T0 + H)
    clock.at(T0 + 30 * MIN)
    tickets.update_ticket(ticket_of(ticket.id), make_user(), priority="urgent")
    urgent = ticket_of(ticket.id)
    assert urgent.first_response_due_at == T0 + 15 * MIN  # already overdue: raising cannot reset the clock
    assert (urgent.sla_state, urgent.sla_check_at) == ("breached", T0 + 30 * MIN)  # the scheduler looks at once


def test_next_response_runs_after_each_customer_message(policy, inbound, ticket_of, make_user, clock, groups):
    policy(targets=calendar_time(next_response=2 * 3600))
    agent = make_user()
    ticket = ticket_of(inbound(email="next@example.com"))
    clock.at(T0 + 20 * MIN)
    replies.add_reply(ticket, agent, body="Hello")
    assert ticket_of(ticket.id).next_response_due_at is None
    clock.at(T0 + H)
    inbound(email="next@example.com", body="Still broken", ticket_hint=ticket.id)
    assert ticket_of(ticket.id).next_response_due_at == T0 + 3 * H
    clock.at(T0 + 90 * MIN)
    replies.add_reply(ticket_of(ticket.id), agent, body="Looking")
    assert ticket_of(ticket.id).next_response_due_at is None
    assert outcomes(ticket.id) == {"first_response": True, "next_response": True}


def test_notes_automated_mail_and_back_dated_messages(policy, inbound, ticket_of, make_user, clock, groups):
    policy()
    ticket = ticket_of(inbound(email="auto@example.com", received_at=T0 - 2 * H))  # arrived before the ticket
    assert ticket.first_response_due_at == T0 + H  # counted from the ticket's creation
    clock.at(T0 + 10 * MIN)
    replies.add_reply(ticket, make_user(), body="internal", internal=True)
    replies.add_auto_reply(ticket_of(ticket.id), body="We got your mail", cap_per_hour=5)
    sla_clocks.refresh([ticket.id])
    assert ticket_of(ticket.id).first_response_due_at == T0 + H  # neither a note nor an auto-reply answers
    assert db.session.scalar(select(Message.id).where(Message.is_automated)) is not None


def test_business_time_on_a_calendar(app, inbound, ticket_of, clock, groups):
    office = sla_config.save_calendar(None, name="Office", timezone="Europe/Madrid",
                                      hours={"mon-fri": "09:00-13:00, 14:00-18:00"}, holidays=["2026-03-03"])
    sla_config.save_policy(None, name="Office hours", calendar_id=office.id, targets=[
        {"kind": "first_response", "goal_seconds": 6 * 3600}])
    clock.at(T0 + 6 * H)  # Monday 15:00 UTC = 16:00 in Madrid: 2h left today, Tuesday is a holiday
    ticket = ticket_of(inbound())
    assert ticket.first_response_due_at == T0 + 48 * H + 3 * H  # Wednesday 13:00 Madrid = 12:00 UTC


def test_status_of_gives_the_clocks_for_the_page(policy, inbound, ticket_of, clock, groups):
    policy()
    ticket = ticket_of(inbound())
    status = sla_clocks.status_of(ticket, T0 + 50 * MIN)
    first = status.clock(sla_clocks.FIRST)
    assert (first.state.value, first.left.total_seconds()) == ("warning", 600)


def test_a_ticket_moved_to_another_policy_by_group(policy, inbound, ticket_of, make_user, clock, groups):
    support, billing = groups
    billing_policy = policy("Billing", targets=calendar_time(first=2 * 3600), conditions={"groups": [billing.id]})
    policy("Standard", position=2)
    ticket = ticket_of(inbound())
    clock.at(T0 + 10 * MIN)
    tickets.update_ticket(ticket_of(ticket.id), make_user(role="admin"), group_id=billing.id)
    moved = ticket_of(ticket.id)
    assert (moved.sla_policy_id, moved.first_response_due_at) == (billing_policy.id, T0 + 2 * H)
    assert db.session.get(Ticket, ticket.id).group_id == billing.id


def test_without_policies_open_is_none_and_solved_is_not_counted_open(app, inbound, make_user):
    ticket = db.session.get(Ticket, inbound().ticket_id)
    assert ticket.sla_state == "none"
    tickets.update_ticket(ticket, make_user(role="admin"), status="solved")
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).sla_state is None
