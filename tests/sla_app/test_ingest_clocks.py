"""Ingestion computes a ticket's clocks inside its own transaction: the events already carry the new
state, and no second write transaction follows the commit."""

from __future__ import annotations

from helpdesk.services import events
from helpdesk.services.sla import clocks as sla_clocks
from tests.sla_app.conftest import MIN, T0, H, calendar_time


def test_the_created_event_carries_the_clock_state_committed_with_the_ticket(policy, inbound, ticket_of, clock, groups):
    policy()
    seen = []

    def listener(sender, payload):
        seen.append((sender, payload["sla_state"], ticket_of(payload["ticket_id"]).sla_state))

    events.ticket_created.connect(listener)
    try:
        ticket = ticket_of(inbound(email="clock@example.com"))
    finally:
        events.ticket_created.disconnect(listener)
    assert seen == [("ticket.created", "ok", "ok")]
    assert (ticket.first_response_due_at, ticket.sla_check_at) == (T0 + H, T0 + 48 * MIN)


def test_a_follow_up_message_needs_no_refresh_after_commit(policy, inbound, ticket_of, app, clock, groups,
                                                            monkeypatch):
    policy(targets=calendar_time(first=3600, resolution=8 * 3600, next_response=1800))
    first = inbound(email="count@example.com", thread_key="t-1")
    refreshed = []
    original = sla_clocks.refresh
    monkeypatch.setattr(sla_clocks, "refresh", lambda ids, now=None: refreshed.append(ids) or original(ids, now))
    clock.advance(10 * MIN)
    second = inbound(email="count@example.com", thread_key="t-1")
    assert second.ticket_id == first.ticket_id and not second.created_ticket
    assert refreshed == []  # the subscriber saw the clocks were already computed
    assert (ticket_of(second).sla_state, ticket_of(second).first_response_due_at) == ("ok", T0 + H)


def test_a_customer_message_on_a_solved_ticket_restarts_its_clock_in_the_same_transaction(
        policy, inbound, ticket_of, make_user, clock, groups):
    from helpdesk.services import replies, tickets

    policy()
    agent = make_user()
    first = inbound(email="again@example.com", external_id="a-1")
    replies.add_reply(ticket_of(first), agent, body="Fixed")
    tickets.update_ticket(ticket_of(first), agent, status="solved")
    assert ticket_of(first).sla_state is None  # not open: no state
    clock.advance(H)
    again = inbound(email="again@example.com", external_id="a-2", thread_refs=("a-1",))
    ticket = ticket_of(again)
    assert again.ticket_id == first.ticket_id and ticket.status == "open"
    assert ticket.sla_state == "ok" and ticket.resolution_due_at is not None
