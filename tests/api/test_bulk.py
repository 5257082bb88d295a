"""POST /api/v1/tickets/bulk: one change, macro or merge for many tickets, each ticket on its own."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import Message, TicketEvent
from helpdesk.services import events
from tests.api.helpers import errors_of


@pytest.fixture
def three(agent, inbound) -> list[int]:
    return [inbound(email=f"c{n}@example.com", name=f"Customer {n}", subject=f"Question {n}").ticket_id
            for n in range(3)]


def test_a_change_is_made_to_each_ticket_and_a_foreign_one_is_refused(api, three, inbound, groups, agent):
    foreign = inbound(subject="Billing", group_hint="Billing").ticket_id
    api.patch(f"/tickets/{three[0]}", json={"tags": ["old", "keep"]})
    published = []

    def record(_name, payload):
        published.append(payload["ticket_id"])

    events.ticket_updated.connect(record)
    try:
        response = api.post("/tickets/bulk", json={"ids": [*three, foreign, three[0]], "changes": {
            "status": "pending", "priority": "high", "assignee_id": agent.id, "add_tags": ["Bulk"],
            "remove_tags": ["old"]}})
    finally:
        events.ticket_updated.disconnect(record)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["done"], body["failed"]) == (3, 1)
    assert [r["id"] for r in body["results"]] == [*three, foreign]  # repeats once, in order
    assert body["results"][3] == {"id": foreign, "ok": False, "changes": {},
                                  "error": {"code": 404, "field": "ids", "message": f"no ticket {foreign}"}}
    first = body["results"][0]["changes"]
    assert first["status"] == ["new", "pending"] and first["tags"] == [["keep", "old"], ["keep", "bulk"]]
    for ticket_id in three:
        ticket = api.get(f"/tickets/{ticket_id}").get_json()
        assert (ticket["status"], ticket["priority"], ticket["assignee_id"]) == ("pending", "high", agent.id)
        assert "bulk" in ticket["tags"] and "old" not in ticket["tags"]
    assert published.count(three[1]) == 1 and foreign not in published  # one event per ticket
    events_per_ticket = db.session.execute(select(TicketEvent.ticket_id, func.count()).where(
        TicketEvent.kind == "changed", TicketEvent.ticket_id.in_(three)).group_by(TicketEvent.ticket_id)).all()
    assert len(events_per_ticket) == 3
    assert api.get(f"/tickets/{foreign}").status_code == 404


def test_a_change_that_does_not_fit_one_ticket_refuses_that_one_only(api, api_as, make_user, inbound, groups, agent):
    supervisor = api_as(make_user(role="supervisor", groups=()))
    billing_agent = make_user(groups=("Billing",), name="Bea Billing")
    support = inbound(subject="Support").ticket_id
    billing = inbound(subject="Billing", group_hint="Billing").ticket_id
    body = supervisor.post("/tickets/bulk", json={"ids": [support, billing],
                                                  "changes": {"assignee_id": billing_agent.id}}).get_json()
    assert [r["ok"] for r in body["results"]] == [False, True]
    assert body["results"][0]["error"]["code"] == 422 and body["results"][0]["error"]["field"] == "assignee_id"


def test_a_macro_is_applied_to_each_ticket(api, three):
    macro = api.post("/macros", json={"name": "Closing", "body": "Bye {{customer.first_name}}",
                                      "actions": {"status": "solved"}}).get_json()["id"]
    body = api.post("/tickets/bulk", json={"ids": three, "macro_id": macro}).get_json()
    assert body["done"] == 3
    for ticket_id in three:
        ticket = api.get(f"/tickets/{ticket_id}").get_json()
        assert ticket["status"] == "solved"
        assert ticket["messages"][-1]["body_text"] == "Bye Customer" and ticket["messages"][-1]["kind"] == "outbound"
    assert api.get(f"/macros/{macro}").get_json()["usage_count"] == 3


def test_tickets_are_merged_into_one(api, three):
    body = api.post("/tickets/bulk", json={"ids": three, "merge_into": three[0]}).get_json()
    assert [r["id"] for r in body["results"]] == three[1:] and body["done"] == 2
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.ticket_id == three[0])) == 3
    assert api.get(f"/tickets/{three[1]}").get_json()["merged_into_id"] == three[0]


@pytest.mark.parametrize("payload, field", [
    ({"ids": []}, "ids"),
    ({"ids": [1], "changes": {"status": "gone"}}, "changes"),
    ({"ids": ["1"], "changes": {"status": "open"}}, "ids"),
    ({"ids": [1], "changes": {"status": "open"}, "macro_id": 1}, "_schema"),
    ({"ids": [1]}, "_schema"),
    ({"ids": list(range(1, 1002)), "changes": {"status": "open"}}, "ids"),
])
def test_malformed_bulk_requests_are_422_and_change_nothing(api, three, payload, field, row_counts):
    before = row_counts()
    response = api.post("/tickets/bulk", json=payload)
    assert response.status_code == 422 and field in errors_of(response), response.get_json()
    assert row_counts() == before


def test_empty_changes_and_unknown_macros_or_targets_are_422(api, three, inbound, groups):
    assert "changes" in errors_of(api.post("/tickets/bulk", json={"ids": three, "changes": {}}))
    assert "macro_id" in errors_of(api.post("/tickets/bulk", json={"ids": three, "macro_id": 999999}))
    foreign = inbound(subject="Billing", group_hint="Billing").ticket_id
    assert "merge_into" in errors_of(api.post("/tickets/bulk", json={"ids": three, "merge_into": foreign}))


def test_a_bulk_action_leaves_one_audit_entry_naming_what_was_done_and_refused(api, three, inbound, agent):
    from helpdesk.models import AuditEntry

    foreign = inbound(subject="Billing", group_hint="Billing").ticket_id
    response = api.post("/tickets/bulk", json={"ids": [*three, foreign], "changes": {"status": "pending"}})
    assert response.status_code == 200
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "tickets.bulk")).all()
    assert len(entries) == 1
    entry = entries[0]
    assert entry.actor_id == agent.id and entry.via == "api"
    assert entry.data["done"] == three and entry.data["refused"] == [foreign]
    assert entry.data["changes"] == {"status": "pending"}
