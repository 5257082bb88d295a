"""The timeline in words: people, groups and values by name, never raw ids."""

from __future__ import annotations

from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.services import ticket_links, tickets, timeline


def test_changes_name_people_groups_and_values(groups, make_user, inbound):
    support, billing = groups
    ana = make_user(groups=("Support", "Billing"), name="Ana Agent")
    ben = make_user(groups=("Support", "Billing"), name="Ben Agent")
    ticket = db.session.get(Ticket, inbound(subject="Login").ticket_id)
    other = db.session.get(Ticket, inbound(email="x@example.com", subject="Other").ticket_id)
    tickets.update_ticket(ticket, ana, assignee_id=ben.id, priority="high", tags=["vip", "login"])
    tickets.update_ticket(ticket, None, group_id=billing.id, status="on_hold", tags=["vip"])
    tickets.update_ticket(ticket, ana, assignee_id=None)
    ticket_links.link(ticket, other, ben)
    lines = [(e.actor, e.text, e.ticket_id) for e in timeline.describe(tickets.timeline_of(ticket))]
    assert lines == [
        (None, "ticket opened via web", None),
        ("Ana Agent", "assigned it to Ben Agent; changed priority from normal to high; added tags login, vip", None),
        (None, "changed group from Support to Billing; changed status from new to on hold; removed tag login", None),
        ("Ana Agent", "unassigned Ben Agent", None),
        ("Ben Agent", "linked this ticket to", other.id),
    ]
