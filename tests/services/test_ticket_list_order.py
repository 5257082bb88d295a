"""Lists sorted by last change are read one (group, status) branch at a time and merged: the pages
must be exactly those of the plain query, in the same order, each ticket once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.services import staff, tickets
from helpdesk.services.tickets import TicketFilter


@pytest.fixture
def desk(app, make_user, inbound):
    """Tickets in three groups (and one in none) with every status; an agent of two groups."""
    for name in ("Support", "Billing", "Sales"):
        staff.get_or_create_group(name)
    db.session.commit()
    admin = make_user(role="admin", groups=())
    statuses = ["new", "open", "pending", "on_hold", "solved", "closed"]
    for n in range(30):
        group = ("Support", "Billing", "Sales")[n % 3]
        ticket = db.session.get(Ticket, inbound(body=f"ticket {n}", group_hint=group).ticket_id)
        status = statuses[n % len(statuses)]
        if status != "new":
            tickets.update_ticket(ticket, admin, status=status)
    tickets.update_ticket(ticket, admin, group_id=None)
    return make_user(groups=("Support", "Billing")), make_user(role="supervisor", groups=())


def _walk(user, f: TicketFilter, limit: int = 4) -> list[int]:
    seen, cursor = [], None
    while True:
        page = tickets.list_page(user, f, cursor=cursor, limit=limit)
        seen += [t.id for t in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return seen


def _plain(user, f: TicketFilter) -> list[int]:
    query = tickets.filtered(user, f).order_by(Ticket.updated_at.desc(), Ticket.id.desc())
    return list(db.session.scalars(query.with_only_columns(Ticket.id)))


@pytest.mark.parametrize("f", [
    TicketFilter(view="open"), TicketFilter(view="all"), TicketFilter(view="unassigned"),
    TicketFilter(view="all", statuses=["pending", "solved"]), TicketFilter(view="open", statuses=["closed"]),
    TicketFilter(view="open", group_id=1), TicketFilter(view="all", priorities=["normal"]),
])
def test_pages_sorted_by_last_change_match_the_plain_query(desk, f):
    for user in desk:
        walked = _walk(user, f)
        assert walked == _plain(user, f)
        assert len(walked) == len(set(walked))


def test_the_open_list_shows_every_open_ticket_of_the_agents_groups_once(desk):
    agent, supervisor = desk
    expected = set(db.session.scalars(select(Ticket.id).where(
        Ticket.status.in_(("new", "open", "pending", "on_hold")), Ticket.group_id.in_(agent.group_ids))))
    assert expected and set(_walk(agent, TicketFilter(view="open"))) == expected
    everyone = set(db.session.scalars(select(Ticket.id)))
    assert set(_walk(supervisor, TicketFilter(view="all"))) == everyone  # the group-less ticket too
