"""Webhooks and automations: admin pages and API (admins only), a new endpoint's secret shown once."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Automation, Webhook


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_pages_are_for_admins_and_a_secret_shows_once(client, groups, make_user, login):
    login(make_user(role="supervisor"))
    assert client.get("/admin/webhooks").status_code == 404 and client.get("/admin/automations").status_code == 404
    client.post("/logout")
    login(make_user(role="admin"))
    assert "No webhooks yet" in client.get("/admin/webhooks").get_data(as_text=True)
    page = client.post("/admin/webhooks", data={"name": "CRM", "url": "https://crm.example.com/hook",
                                                "events": ["ticket.created", "sla.breached"], "active": "1"}).get_data(as_text=True)
    assert 'id="webhook-secret"' in page
    hook = db.session.scalar(select(Webhook))
    assert hook.events == ["ticket.created", "sla.breached"] and "webhook-secret" not in client.get("/admin/webhooks").get_data(as_text=True)
    assert client.get(f"/admin/webhooks/{hook.id}/deliveries").status_code == 200
    response = client.post("/admin/automations", data={
        "name": "Close solved", "active": "1", "all_field_0": "hours_since_solved", "all_op_0": "gt", "all_value_0": "96",
        "act_type_0": "set", "act_target_0": "status", "act_value_0": "closed"})
    assert response.status_code == 303
    assert db.session.scalar(select(Automation)).match_all == [{"field": "hours_since_solved", "op": "gt", "value": 96}]
    refused = client.post("/admin/automations", data={"name": "x", "act_type_0": "add_tags", "act_value_0": "a"},
                          follow_redirects=True).get_data(as_text=True)
    assert "hours_since" in refused


def test_the_api(client, groups, make_user, token_for):
    admin, agent = auth(token_for(make_user(role="admin"))), auth(token_for(make_user()))
    assert client.get("/api/v1/webhooks", headers=agent).status_code == 403
    made = client.post("/api/v1/webhooks", json={"name": "CRM", "url": "https://crm.example.com/hook",
                                                 "events": ["ticket.created"]}, headers=admin)
    assert made.status_code == 201 and len(made.json["secret"]) > 30
    hook_id = made.json["id"]
    assert "secret" not in client.get(f"/api/v1/webhooks/{hook_id}", headers=admin).json
    assert client.post("/api/v1/webhooks", json={"name": "x", "url": "http://10.0.0.5/hook", "events": ["ticket.created"]},
                       headers=admin).json["errors"]["json"].keys() == {"url"}
    assert client.get(f"/api/v1/webhooks/{hook_id}/deliveries", headers=admin).json == {"items": [], "next_cursor": None}
    rotated = client.patch(f"/api/v1/webhooks/{hook_id}", json={"rotate_secret": True}, headers=admin).json
    assert rotated["secret"] != made.json["secret"]
    automation = client.post("/api/v1/automations", json={
        "name": "Remind", "match_all": [{"field": "hours_since_pending", "op": "gte", "value": 72}],
        "actions": [{"type": "reply", "body": "Any news?"}]}, headers=admin)
    assert automation.status_code == 201, automation.json
    assert client.post("/api/v1/automations", json={"name": "x", "match_all": [], "actions": [{"type": "reply", "body": "x"}]},
                       headers=admin).status_code == 422
    assert [a["name"] for a in client.get("/api/v1/automations", headers=admin).json["items"]] == ["Remind"]
    assert client.delete(f"/api/v1/webhooks/{hook_id}", headers=admin).status_code == 204
