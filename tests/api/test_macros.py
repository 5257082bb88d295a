"""Macros over the API: who sees and manages which, placeholders and translations, preview and apply."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Customer, Message, Ticket
from tests.api.helpers import errors_of

REFUND = {"name": "Refund sent", "body": "Hi {{customer.first_name}}, ticket #{{ticket.number}} ({{ticket.subject}}) "
          "is refunded. {{agent.first_name}} {{ customer.nonsense }}",
          "translations": {"es": "Hola {{customer.first_name}}, reembolsado. {{agent.name}}"},
          "actions": {"status": "pending", "priority": "high", "add_tags": ["Refund"], "remove_tags": ["new"],
                      "assign_to_me": True, "note": "Refund by {{agent.name}}"}}


@pytest.fixture
def supervisor_api(api_as, make_user):
    return api_as(make_user(role="supervisor", groups=(), name="Sam Supervisor"))


def test_a_macro_is_created_listed_read_changed_and_deleted(api, agent):
    created = api.post("/macros", json=REFUND)
    assert created.status_code == 201, created.get_json()
    macro = created.get_json()
    assert macro["scope"] == "personal" and macro["owner_id"] == agent.id and macro["usage_count"] == 0
    assert macro["actions"]["add_tags"] == ["refund"]
    assert [m["id"] for m in api.get("/macros").get_json()["items"]] == [macro["id"]]
    assert api.get("/macros?q=fund").get_json()["items"][0]["name"] == "Refund sent"
    assert api.get("/macros?q=nothing").get_json()["items"] == []
    changed = api.patch(f"/macros/{macro['id']}", json={"name": "Refund done"})
    assert changed.status_code == 200 and changed.get_json()["name"] == "Refund done"
    assert changed.get_json()["body"] == REFUND["body"]  # untouched
    assert api.delete(f"/macros/{macro['id']}").status_code == 204
    assert api.get(f"/macros/{macro['id']}").status_code == 404


def test_personal_group_and_shared_visibility_and_management(api, api_as, make_user, agent, supervisor_api, groups):
    support, billing = groups
    mine = api.post("/macros", json={"name": "Mine", "body": "x"}).get_json()["id"]
    shared = supervisor_api.post("/macros", json={"name": "Shared", "body": "x", "scope": "shared"}).get_json()["id"]
    ours = supervisor_api.post("/macros", json={"name": "Support only", "body": "x", "scope": "group",
                                                "group_id": support.id}).get_json()["id"]
    theirs = supervisor_api.post("/macros", json={"name": "Billing only", "body": "x", "scope": "group",
                                                  "group_id": billing.id}).get_json()["id"]
    assert {m["id"] for m in api.get("/macros").get_json()["items"]} == {mine, shared, ours}
    assert {m["id"] for m in supervisor_api.get("/macros").get_json()["items"]} == {shared, ours, theirs}
    assert api.get(f"/macros/{theirs}").status_code == 404
    ben = api_as(make_user(groups=("Support",)))
    assert ben.get(f"/macros/{mine}").status_code == 404  # personal: its owner's only
    assert "scope" in errors_of(api.patch(f"/macros/{shared}", json={"name": "Mine now"}))
    assert "scope" in errors_of(api.delete(f"/macros/{ours}"))
    assert "scope" in errors_of(api.post("/macros", json={"name": "S", "body": "x", "scope": "shared"}))
    assert "group_id" in errors_of(supervisor_api.post("/macros", json={"name": "G", "body": "x", "scope": "group"}))
    assert supervisor_api.patch(f"/macros/{ours}", json={"body": "y"}).status_code == 200


@pytest.mark.parametrize("body, field", [
    ({"name": "", "body": "x"}, "name"),
    ({"name": "Empty"}, "body"),
    ({"name": "X", "body": "x", "actions": {"status": "gone"}}, "actions"),
    ({"name": "X", "body": "x", "actions": {"group_id": 999999}}, "actions.group_id"),
    ({"name": "X", "body": "x", "actions": {"assignee_id": 999999}}, "actions.assignee_id"),
    ({"name": "X", "body": "x", "translations": {"not a language": "x"}}, "translations"),
    ({"name": "X", "body": "x", "scope": "everyone"}, "scope"),
])
def test_invalid_macros_are_422_naming_the_field(api, agent, body, field):
    response = api.post("/macros", json=body)
    assert response.status_code == 422 and field in errors_of(response), response.get_json()


def test_preview_shows_what_apply_then_does(api, agent, inbound):
    ticket_id = inbound(email="maria@example.com", name="María López", subject="Card <charged> twice").ticket_id
    api.patch(f"/tickets/{ticket_id}", json={"tags": ["new", "billing"]})
    macro_id = api.post("/macros", json=REFUND).get_json()["id"]
    preview = api.post(f"/tickets/{ticket_id}/macros/{macro_id}?preview=1")
    assert preview.status_code == 200, preview.get_json()
    result = preview.get_json()
    assert result["applied"] is False
    assert result["reply"] == (f"Hi María, ticket #{ticket_id} (Card <charged> twice) is refunded. Ana "
                               "{{ customer.nonsense }}")
    assert result["changes"] == {"status": ["new", "pending"], "priority": ["normal", "high"],
                                 "assignee_id": [None, agent.id], "tags": [["billing", "new"], ["billing", "refund"]]}
    assert result["note"] == "Refund by Ana Agent"
    assert api.get(f"/tickets/{ticket_id}").get_json()["status"] == "new"  # a preview changes nothing
    applied = api.post(f"/tickets/{ticket_id}/macros/{macro_id}").get_json()
    assert applied["applied"] is True and applied["changes"] == result["changes"]
    ticket = api.get(f"/tickets/{ticket_id}").get_json()
    assert (ticket["status"], ticket["priority"], ticket["tags"]) == ("pending", "high", ["billing", "refund"])
    kinds = [(m["kind"], m["body_text"]) for m in ticket["messages"]][-2:]
    assert kinds == [("note", "Refund by Ana Agent"), ("outbound", result["reply"])]
    assert api.get(f"/macros/{macro_id}").get_json()["usage_count"] == 1
    assert any(e["kind"] == "changed" and "priority" in e["data"] for e in ticket["events"])
    assert ticket["events"][-1]["kind"] == "macro_applied" and ticket["events"][-1]["data"]["name"] == "Refund sent"


def test_the_customers_language_picks_the_translation_and_draft_mode_keeps_the_reply(api, agent, inbound):
    ticket_id = inbound(email="lucia@example.es", name="Lucía Pérez", subject="Hola").ticket_id
    customer = db.session.get(Ticket, ticket_id).customer_id
    db.session.get(Customer, customer).language = "es-MX"
    db.session.commit()
    macro_id = api.post("/macros", json=REFUND).get_json()["id"]
    applied = api.post(f"/tickets/{ticket_id}/macros/{macro_id}", json={"reply_to": "draft"}).get_json()
    assert applied["reply"] == "Hola Lucía, reembolsado. Ana Agent" and applied["reply_message_id"] is None
    assert api.get(f"/tickets/{ticket_id}/draft").get_json()["body"] == applied["reply"]
    outbound = db.session.scalars(select(Message).where(Message.ticket_id == ticket_id, Message.kind == "outbound"))
    assert list(outbound) == []


def test_foreign_tickets_and_macros_answer_404(api, agent, inbound, supervisor_api, groups):
    billing_ticket = inbound(subject="Invoice", group_hint="Billing").ticket_id
    mine = inbound(subject="Mine").ticket_id
    macro_id = api.post("/macros", json={"name": "M", "body": "x"}).get_json()["id"]
    assert api.post(f"/tickets/{billing_ticket}/macros/{macro_id}").status_code == 404
    billing_macro = supervisor_api.post("/macros", json={"name": "B", "body": "x", "scope": "group",
                                                         "group_id": groups[1].id}).get_json()["id"]
    assert api.post(f"/tickets/{mine}/macros/{billing_macro}?preview=1").status_code == 404
