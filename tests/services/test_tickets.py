"""Ticket lists, visibility, changes with a timeline, and merges."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Message, Ticket, TicketEvent
from helpdesk.services import tickets
from helpdesk.services.tickets import TicketError, TicketFilter


def test_agents_see_only_their_groups_and_supervisors_see_all(groups, make_user, inbound):
    support, billing = groups
    mine = inbound(group_hint="Support").ticket_id
    theirs = inbound(group_hint="Billing").ticket_id
    agent = make_user(groups=("Support",))
    supervisor = make_user(role="supervisor", groups=())
    assert [t.id for t in tickets.list_page(agent, TicketFilter(view="all")).items] == [mine]
    assert {t.id for t in tickets.list_page(supervisor, TicketFilter(view="all")).items} == {mine, theirs}
    with pytest.raises(tickets.TicketNotFound):
        tickets.get_for(agent, theirs)
    with pytest.raises(tickets.TicketNotFound):
        tickets.get_for(agent, 10**9)


def test_keyset_pagination_walks_every_ticket_once(groups, make_user, inbound):
    ids = {inbound(body=f"ticket {n}").ticket_id for n in range(23)}
    agent = make_user()
    seen, cursor = [], None
    while True:
        page = tickets.list_page(agent, TicketFilter(view="open"), sort="created", cursor=cursor, limit=5)
        seen += [t.id for t in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 23 and set(seen) == ids
    assert seen == sorted(seen, reverse=True)


def test_a_forged_cursor_is_a_clear_error(groups, make_user):
    with pytest.raises(TicketError) as err:
        tickets.list_page(make_user(), TicketFilter(), cursor="not-a-cursor")
    assert err.value.field == "cursor"


def test_filters_and_search(groups, make_user, inbound):
    agent = make_user()
    a = inbound(email="kim@example.com", name="Kim Possible", subject="Invoice wrong").ticket_id
    b = inbound(email="ron@example.com", subject="Password", body="the laser is broken").ticket_id
    tickets.update_ticket(db.session.get(Ticket, b), agent, priority="urgent", tags=["Hardware", "laser"])

    def ids(**kw):
        return [t.id for t in tickets.list_page(agent, TicketFilter(view="all", **kw)).items]

    assert ids(priorities=["urgent"]) == [b]
    assert ids(tag="hardware") == [b]
    assert ids(q="possible") == [a]
    assert ids(q="LASER") == [b]
    assert ids(q=f"#{a}") == [a]
    assert ids(q="kim@") == [a]
    assert ids(q="#99999999999999") == []
    with pytest.raises(TicketError) as err:
        ids(statuses=["bogus"])
    assert err.value.field == "status"


def test_changes_are_recorded_in_the_timeline(groups, make_user, inbound):
    support, billing = groups
    agent = make_user(groups=("Support", "Billing"))
    ticket = db.session.get(Ticket, inbound().ticket_id)
    done = tickets.update_ticket(ticket, agent, status="pending", group_id=billing.id, assignee_id=agent.id, tags=["a", "A", "b"])
    assert done == {"status": ["new", "pending"], "group_id": [support.id, billing.id],
                    "assignee_id": [None, agent.id], "tags": [[], ["a", "b"]]}
    event = db.session.scalar(select(TicketEvent).where(TicketEvent.kind == "changed"))
    assert event.actor_id == agent.id and event.data["status"] == ["new", "pending"]
    assert tickets.update_ticket(ticket, agent, status="pending") == {}


def test_solving_and_reopening_track_timestamps(groups, make_user, inbound):
    agent = make_user()
    ticket = db.session.get(Ticket, inbound().ticket_id)
    tickets.update_ticket(ticket, agent, status="solved")
    assert ticket.solved_at is not None
    tickets.update_ticket(ticket, agent, status="open")
    assert ticket.solved_at is None


@pytest.mark.parametrize("changes, field", [
    ({"status": "deleted"}, "status"), ({"priority": "critical"}, "priority"), ({"group_id": 999}, "group_id"),
    ({"assignee_id": 999}, "assignee_id"), ({"subject": ""}, "subject"), ({"tags": ["x" * 65]}, "tags"),
    ({"customer_id": 1}, "customer_id"),
])
def test_invalid_changes_name_the_field_and_store_nothing(groups, make_user, inbound, changes, field):
    agent = make_user()
    ticket = db.session.get(Ticket, inbound().ticket_id)
    with pytest.raises(TicketError) as err:
        tickets.update_ticket(ticket, agent, **changes)
    assert err.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(TicketEvent).where(TicketEvent.kind == "changed")) is None


def test_an_agent_outside_the_group_cannot_be_assigned(groups, make_user, inbound):
    billing_agent = make_user(groups=("Billing",))
    ticket = db.session.get(Ticket, inbound(group_hint="Support").ticket_id)
    with pytest.raises(TicketError, match="not a member"):
        tickets.update_ticket(ticket, make_user(role="admin"), assignee_id=billing_agent.id)


def test_merge_moves_messages_and_redirects_later_replies(groups, make_user, inbound):
    agent = make_user()
    a = inbound(email="x@example.com", external_id="<a@x>")
    b = inbound(email="x@example.com", external_id="<b@x>")
    source, target = db.session.get(Ticket, a.ticket_id), db.session.get(Ticket, b.ticket_id)
    tickets.merge_tickets(source, target, agent)
    assert {m.ticket_id for m in db.session.scalars(select(Message))} == {target.id}
    assert source.status == "closed" and source.merged_into_id == target.id
    follow_up = inbound(email="x@example.com", thread_refs=("<a@x>",))
    assert follow_up.ticket_id == target.id
    with pytest.raises(TicketError):
        tickets.merge_tickets(source, target, agent)
