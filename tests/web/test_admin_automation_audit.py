"""Admin changes to triggers, time-based automations, webhooks and custom fields are audited like
every other settings change: who, from where (web or API), and the fields before and after."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import AuditEntry, Automation, CustomField, Trigger, Webhook

HOURS = {"all_field_0": "hours_since_solved", "all_op_0": "gt", "all_value_0": "96"}
# kind -> (model, audit name, page, form to create, form to change, API path, body to create, body to change)
KINDS = {
    "trigger": (Trigger, "trigger", "/admin/triggers",
                {"name": "Refunds", "event": "ticket.created", "active": "1", "act_type_0": "add_tags", "act_value_0": "refund"},
                {"name": "Refunds", "event": "ticket.created", "act_type_0": "add_tags", "act_value_0": "refund"},
                "/api/v1/triggers",
                {"name": "Refunds", "event": "ticket.created", "actions": [{"type": "add_tags", "tags": ["refund"]}]},
                {"active": False}),
    "automation": (Automation, "automation", "/admin/automations",
                   {"name": "Close solved", "active": "1", **HOURS, "act_type_0": "set", "act_target_0": "status",
                    "act_value_0": "closed"},
                   {"name": "Close solved", **HOURS, "act_type_0": "set", "act_target_0": "status",
                    "act_value_0": "closed"},
                   "/api/v1/automations",
                   {"name": "Close solved", "match_all": [{"field": "hours_since_solved", "op": "gt", "value": 96}],
                    "actions": [{"type": "set", "field": "status", "value": "closed"}]},
                   {"active": False}),
    "webhook": (Webhook, "webhook", "/admin/webhooks",
                {"name": "CRM", "url": "https://crm.example.com/hook", "events": ["ticket.created"], "active": "1"},
                {"name": "CRM", "url": "https://crm.example.com/hook", "events": ["ticket.created"]},
                "/api/v1/webhooks",
                {"name": "CRM", "url": "https://crm.example.com/hook", "events": ["ticket.created"]},
                {"active": False}),
    "custom_field": (CustomField, "custom_field", "/admin/fields",
                     {"entity": "ticket", "key": "reason", "label": "Reason", "kind": "text", "active": "1"},
                     {"label": "Reason"},
                     "/api/v1/fields",
                     {"entity": "ticket", "key": "reason", "label": "Reason", "kind": "text"},
                     {"active": False}),
}


def _entries(name: str) -> list[AuditEntry]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.target_type == name).order_by(AuditEntry.id)))


def _assert_trail(entries: list[AuditEntry], name: str, row_id: int, actor_id: int, via: str) -> None:
    assert [e.action for e in entries] == [f"{name}.create", f"{name}.update", f"{name}.delete"]
    assert {(e.target_id, e.actor_id, e.via) for e in entries} == {(row_id, actor_id, via)}
    created, changed, deleted = entries
    assert created.before is None and created.after["active"] is True
    assert changed.before == {"active": True} and changed.after == {"active": False}
    assert deleted.before["active"] is False and deleted.after is None


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_admin_pages_audit_create_change_and_delete(kind, client, groups, make_user, login):
    model, name, page, create, change, *_ = KINDS[kind]
    admin = make_user(role="admin")
    login(admin)
    assert client.post(page, data=create).status_code in (200, 303)
    row_id = db.session.scalar(select(model.id))
    assert client.post(f"{page}/{row_id}", data=change).status_code == 303  # the active box left unticked
    assert client.post(f"{page}/{row_id}/delete").status_code == 303
    assert db.session.get(model, row_id) is None
    _assert_trail(_entries(name), name, row_id, admin.id, "web")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_api_audits_create_change_and_delete(kind, client, groups, make_user, token_for):
    _, name, _, _, _, path, create, change = KINDS[kind]
    admin = make_user(role="admin")
    headers = {"Authorization": f"Bearer {token_for(admin)}"}
    made = client.post(path, json=create, headers=headers)
    assert made.status_code == 201, made.json
    row_id = made.json["id"]
    assert client.patch(f"{path}/{row_id}", json=change, headers=headers).status_code == 200
    assert client.delete(f"{path}/{row_id}", headers=headers).status_code == 204
    _assert_trail(_entries(name), name, row_id, admin.id, "api")


def test_a_webhook_secret_never_reaches_the_log(client, groups, make_user, token_for):
    headers = {"Authorization": f"Bearer {token_for(make_user(role='admin'))}"}
    made = client.post("/api/v1/webhooks", json=KINDS["webhook"][6], headers=headers).json
    client.patch(f"/api/v1/webhooks/{made['id']}", json={"rotate_secret": True}, headers=headers)
    entries = _entries("webhook")
    assert entries[0].after["secret_sealed"] == "[hidden]"
    assert entries[1].action == "webhook.update" and entries[1].after == {"secret_sealed": "[hidden]"}
    assert all(made["secret"] not in str((e.before, e.after, e.data)) for e in entries)
