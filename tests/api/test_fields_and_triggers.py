"""/api/v1/fields and /api/v1/triggers: admins define, everyone reads fields, tickets and customers
carry values, lists filter by them, solving waits for required ones, reports break tickets down."""

from __future__ import annotations

from helpdesk.extensions import db
from helpdesk.models import Ticket


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_fields_values_filters_required_and_breakdown(client, groups, make_user, token_for, inbound):
    admin, agent = auth(token_for(make_user(role="admin"))), auth(token_for(make_user()))
    assert client.post("/api/v1/fields", json={"entity": "ticket", "key": "reason", "label": "Reason",
                                               "kind": "dropdown", "options": ["Refund", "Bug"]}, headers=agent).status_code == 403
    made = client.post("/api/v1/fields", json={"entity": "ticket", "key": "reason", "label": "Reason", "kind": "dropdown",
                                               "options": ["Refund", "Bug"], "required_to_solve": True}, headers=admin)
    assert made.status_code == 201, made.json
    field_id = made.json["id"]
    bad = client.post("/api/v1/fields", json={"entity": "ticket", "key": "Bad Key", "label": "x", "kind": "text"}, headers=admin)
    assert bad.status_code == 422 and "key" in bad.json["errors"]["json"]
    assert [f["key"] for f in client.get("/api/v1/fields", headers=agent).json["items"]] == ["reason"]

    first, second = inbound(email="a@example.com").ticket_id, inbound(email="b@example.com").ticket_id
    refused = client.patch(f"/api/v1/tickets/{first}", json={"status": "solved"}, headers=agent)
    assert refused.status_code == 422 and "Reason" in refused.json["errors"]["json"]["status"][0]
    wrong = client.patch(f"/api/v1/tickets/{first}", json={"custom_fields": {"reason": "Weather"}}, headers=agent)
    assert wrong.status_code == 422 and "custom_fields.reason" in wrong.json["errors"]["json"]
    done = client.patch(f"/api/v1/tickets/{first}", json={"custom_fields": {"reason": "Bug"}, "status": "solved"}, headers=agent)
    assert done.status_code == 200 and done.json["custom_fields"] == {"reason": "Bug"} and done.json["status"] == "solved"

    from helpdesk.services import tickets
    from helpdesk.services.tickets import TicketFilter
    user = make_user(role="supervisor")
    found = tickets.list_page(user, TicketFilter(view="all", custom={"reason": "Bug"})).items
    assert [t.id for t in found] == [first]

    listed = client.get("/api/v1/tickets?field=reason:Bug", headers=agent).json["items"]
    assert [t["id"] for t in listed] == [first]
    assert client.get("/api/v1/tickets?field=shoe:42", headers=agent).status_code == 422
    rows = client.get(f"/api/v1/fields/{field_id}/breakdown", headers=agent).json["rows"]
    assert rows == [{"value": "Refund", "tickets": 0}, {"value": "Bug", "tickets": 1}, {"value": "(none)", "tickets": 1}]
    assert db.session.get(Ticket, second).status != "solved"
    assert client.get(f"/api/v1/tickets/{first}", headers=agent).json["custom_fields"] == {"reason": "Bug"}


def test_customer_values_and_trigger_crud(client, groups, make_user, token_for, inbound):
    admin, agent = auth(token_for(make_user(role="admin"))), auth(token_for(make_user()))
    client.post("/api/v1/fields", json={"entity": "customer", "key": "plan", "label": "Plan", "kind": "text"}, headers=admin)
    client.post("/api/v1/fields", json={"entity": "customer", "key": "seats", "label": "Seats", "kind": "number"}, headers=admin)
    customer_id = db.session.get(Ticket, inbound(email="c@example.com").ticket_id).customer_id
    changed = client.patch(f"/api/v1/customers/{customer_id}", json={"custom_fields": {"plan": "Gold", "seats": "12"}},
                           headers=agent)
    assert changed.status_code == 200 and changed.json["custom_fields"] == {"plan": "Gold", "seats": 12}
    assert client.patch(f"/api/v1/customers/{customer_id}", json={"custom_fields": {"seats": "many"}},
                        headers=agent).status_code == 422

    assert client.get("/api/v1/triggers", headers=agent).status_code == 403
    body = {"name": "Gold customers first", "event": "ticket.created",
            "match_all": [{"field": "customer.custom.plan", "op": "is", "value": "Gold"}],
            "actions": [{"type": "set", "field": "priority", "value": "urgent"}]}
    made = client.post("/api/v1/triggers", json=body, headers=admin)
    assert made.status_code == 201, made.json
    assert client.post("/api/v1/triggers", json=body | {"actions": [{"type": "explode"}]},
                       headers=admin).json["errors"]["json"] == {"actions[0].type": [
                           "must be one of ['set', 'assign', 'add_tags', 'remove_tags', 'set_field', 'notify', 'reply', "
                           "'macro', 'webhook']"]}
    trigger_id = made.json["id"]
    assert client.patch(f"/api/v1/triggers/{trigger_id}", json={"active": False}, headers=admin).json["active"] is False
    assert client.get(f"/api/v1/triggers/{trigger_id}", headers=admin).json["name"] == "Gold customers first"
    assert client.delete(f"/api/v1/triggers/{trigger_id}", headers=admin).status_code == 204
    assert client.get(f"/api/v1/triggers/{trigger_id}", headers=admin).status_code == 404
