"""The triggers and custom fields admin pages: admins only, forms that save what they show, and
a custom field filled on the ticket page."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import AuditEntry, Ticket, Trigger
from helpdesk.services.fields import values


def test_only_admins_reach_the_pages(client, groups, make_user, login):
    login(make_user(role="supervisor"))
    assert client.get("/admin/triggers").status_code == 404
    assert client.get("/admin/fields").status_code == 404


def test_an_admin_adds_a_trigger_and_a_field_and_an_agent_fills_it(client, groups, make_user, login, inbound):
    login(make_user(role="admin"))
    page = client.get("/admin/triggers").get_data(as_text=True)
    assert "No triggers yet" in page
    response = client.post("/admin/triggers", data={
        "name": "Refunds to billing", "event": "customer.replied", "position": "1", "active": "1",
        "all_field_0": "text", "all_op_0": "contains", "all_value_0": "refund, chargeback",
        "act_type_0": "add_tags", "act_value_0": "refund", "act_type_1": "set", "act_target_1": "priority",
        "act_value_1": "high"})
    assert response.status_code == 303
    trigger = db.session.scalar(select(Trigger))
    assert trigger.match_all == [{"field": "text", "op": "contains", "value": ["refund", "chargeback"]}]
    assert trigger.actions == [{"type": "add_tags", "tags": ["refund"]}, {"type": "set", "field": "priority", "value": "high"}]
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "trigger.create")) is not None
    bad = client.post("/admin/triggers", data={"name": "x", "event": "ticket.created", "act_type_0": "set",
                                               "act_target_0": "status", "act_value_0": "exploded"}, follow_redirects=True)
    assert "actions[0].value" in bad.get_data(as_text=True)

    client.post("/admin/fields", data={"entity": "ticket", "key": "reason", "label": "Reason", "kind": "dropdown",
                                       "options": "Refund, Bug", "active": "1"})
    ticket_id = inbound(email="f@example.com").ticket_id
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert 'name="cf.reason"' in page and "<option>Bug</option>" in page
    client.post(f"/tickets/{ticket_id}/update", data={"cf.reason": "Bug"})
    assert values.values_for("ticket", ticket_id) == {"reason": "Bug"}
    assert 'selected>Bug</option>' in client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert 'name="cf.reason"' in client.get("/tickets?view=all").get_data(as_text=True)


def test_the_reports_page_breaks_tickets_down_by_a_dropdown(client, groups, make_user, login, inbound):
    from helpdesk.services import tickets
    from helpdesk.services.fields import definitions

    definitions.save(None, {"entity": "ticket", "key": "reason", "label": "Reason", "kind": "dropdown",
                            "options": ["Refund", "Bug"]})
    first = inbound(email="a@example.com").ticket_id
    inbound(email="b@example.com")
    tickets.update_ticket(db.session.get(Ticket, first), None,
                          custom_fields={"reason": "Bug"})
    login(make_user(role="supervisor"))
    page = client.get("/reports").get_data(as_text=True)
    assert "Tickets by Reason" in page
    assert "<td>Bug</td><td>1</td>" in page and "<td>Refund</td><td>0</td>" in page and "<td>(none)</td><td>1</td>" in page
