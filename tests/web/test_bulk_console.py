"""Bulk actions from the console's ticket lists: selected rows or every ticket of the view."""

from __future__ import annotations

from helpdesk.extensions import db
from helpdesk.models import Macro, Ticket


def test_lists_offer_row_checkboxes_and_the_bulk_bar(client, agent, inbound):
    ticket_id = inbound(subject="One").ticket_id
    html = client.get("/tickets").get_data(as_text=True)
    assert f'name="ids" value="{ticket_id}" form="bulk-bar"' in html and 'id="bulk-bar"' in html
    rows = client.get("/tickets?fragment=rows").get_data(as_text=True)
    assert f'value="{ticket_id}" form="bulk-bar"' in rows  # the live refresh keeps the checkboxes


def test_selected_tickets_change_and_a_foreign_one_is_reported(client, agent, inbound):
    mine = [inbound(subject=f"Mine {n}").ticket_id for n in range(2)]
    foreign = inbound(subject="Billing", group_hint="Billing").ticket_id
    response = client.post("/tickets/bulk", data={"ids": [*mine, foreign], "action": "change", "set_status": "pending",
                                                  "set_assignee": "me", "add_tags": "wave", "back": "/tickets?view=mine"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/tickets?view=mine")
    for ticket_id in mine:
        ticket = db.session.get(Ticket, ticket_id)
        assert (ticket.status, ticket.assignee_id, ticket.tags) == ("pending", agent.id, ["wave"])
    assert db.session.get(Ticket, foreign).status == "new"
    page = client.get("/tickets?view=mine").get_data(as_text=True)
    assert "2 tickets changed." in page and f"#{foreign}: ids no ticket {foreign}" in page


def test_every_ticket_in_the_view_and_only_those(client, agent, inbound):
    opened = [inbound(subject=f"Opened {n}").ticket_id for n in range(3)]
    other = inbound(subject="Untagged").ticket_id
    for ticket_id in opened:
        db.session.get(Ticket, ticket_id).status = "open"
    db.session.commit()
    client.post("/tickets/bulk", data={"all_in_view": "1", "view": "open", "status": "open", "action": "change",
                                       "set_priority": "urgent"})
    assert {db.session.get(Ticket, t).priority_name for t in opened} == {"urgent"}
    assert db.session.get(Ticket, other).priority_name == "normal"


def test_macro_and_merge_from_the_list(client, agent, inbound):
    ids = [inbound(subject=f"Dup {n}").ticket_id for n in range(3)]
    macro = Macro(name="Ack", body="Got it, {{customer.first_name}}", scope="personal", owner_id=agent.id,
                  translations={}, actions={"status": "open"})
    db.session.add(macro)
    db.session.commit()
    client.post("/tickets/bulk", data={"ids": ids[:1], "action": "macro", "macro_id": str(macro.id)})
    assert db.session.get(Ticket, ids[0]).status == "open"
    client.post("/tickets/bulk", data={"ids": ids, "action": "merge", "merge_into": f"#{ids[0]}"})
    assert [db.session.get(Ticket, t).merged_into_id for t in ids] == [None, ids[0], ids[0]]


def test_nonsense_is_refused_whole_and_never_redirects_away(client, agent, inbound):
    ticket_id = inbound(subject="Safe").ticket_id
    response = client.post("/tickets/bulk", data={"ids": [ticket_id], "action": "change", "set_status": "gone",
                                                  "back": "//evil.example/"})
    assert response.headers["Location"].endswith("/tickets")
    assert db.session.get(Ticket, ticket_id).status == "new"
    assert "Nothing changed: status" in client.get("/tickets").get_data(as_text=True)
    client.post("/tickets/bulk", data={"action": "change", "set_status": "open"})
    assert "Nothing changed: ids select at least one ticket" in client.get("/tickets").get_data(as_text=True)
