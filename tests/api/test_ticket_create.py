"""POST /api/v1/tickets with the properties an agent sets in the console: priority, status, tags,
group, assignee and the channel the customer used; the console's rules apply."""

from __future__ import annotations

import pytest

from helpdesk.extensions import db
from helpdesk.models import Ticket, TicketEvent
from helpdesk.services import rules
from tests.api.helpers import errors_of

NEW = {"customer": {"email": "caller@example.com", "name": "Cal"}, "subject": "Phoned in", "body": "Printer on fire"}


def test_a_ticket_opens_with_priority_status_tags_assignee_and_channel(api, agent, make_user):
    colleague = make_user(groups=("Support",), name="Colleague")
    response = api.post("/tickets", json=NEW | {"priority": "urgent", "status": "pending", "tags": ["Printer", "fire"],
                                                "group": "Support", "assignee_id": colleague.id, "channel": "phone"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["priority"], body["status"], sorted(body["tags"]), body["channel"], body["assignee_id"]) == (
        "urgent", "pending", ["fire", "printer"], "phone", colleague.id)
    ticket = db.session.get(Ticket, body["id"])
    assert ticket.group.name == "Support" and ticket.source == "api"
    # The timeline says who set what, as for a change in the console.
    changed = db.session.scalars(db.select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                              TicketEvent.kind == "changed")).one()
    assert changed.actor_id == agent.id and changed.data["priority"] == ["normal", "urgent"]


@pytest.mark.parametrize("channel", ["web", "email", "phone"])
def test_the_channel_the_customer_used_is_kept(api, channel):
    response = api.post("/tickets", json=NEW | {"channel": channel})
    assert response.status_code == 201 and response.get_json()["channel"] == channel


def test_without_properties_the_rules_decide(api, groups):
    rules.save_rule(None, name="Fire is urgent", conditions={"keywords": ["fire"]}, set_priority="urgent",
                    set_group_id=None, position=1)
    response = api.post("/tickets", json=NEW)
    assert (response.get_json()["priority"], response.get_json()["status"]) == ("urgent", "new")
    # An explicit priority is the agent's choice, even a lower one.
    assert api.post("/tickets", json=NEW | {"priority": "low"}).get_json()["priority"] == "low"


def test_a_named_group_wins_over_a_routing_rule(api_as, make_user, groups):
    rules.save_rule(None, name="Printers to Billing", conditions={"keywords": ["printer"]}, set_priority=None,
                    set_group_id=groups[1].id, position=1)
    supervisor = api_as(make_user(role="supervisor", groups=()))
    assert db.session.get(Ticket, supervisor.post("/tickets", json=NEW).get_json()["id"]).group.name == "Billing"
    named = supervisor.post("/tickets", json=NEW | {"group": "Support"}).get_json()
    assert db.session.get(Ticket, named["id"]).group.name == "Support"


def test_an_agent_may_pick_only_their_own_groups(api, api_as, make_user, row_counts):
    before = row_counts()
    response = api.post("/tickets", json=NEW | {"group": "Billing"})
    assert response.status_code == 422
    assert "not a member" in errors_of(response)["group"][0]
    assert row_counts() == before
    supervisor = api_as(make_user(role="supervisor", groups=()))
    assert supervisor.post("/tickets", json=NEW | {"group": "Billing"}).status_code == 201


def test_the_assignee_must_be_a_member_of_the_group(api, api_as, make_user, row_counts):
    billing_agent = make_user(groups=("Billing",))
    before = row_counts()
    # No group named: the ticket starts in the default group (Support), where they are no member.
    response = api.post("/tickets", json=NEW | {"assignee_id": billing_agent.id})
    assert response.status_code == 422 and "not a member" in errors_of(response)["assignee_id"][0]
    supervisor = api_as(make_user(role="supervisor", groups=()))
    response = supervisor.post("/tickets", json=NEW | {"group": "Support", "assignee_id": billing_agent.id})
    assert response.status_code == 422 and errors_of(response)["assignee_id"]
    assert row_counts() == before
    ok = supervisor.post("/tickets", json=NEW | {"group": "Billing", "assignee_id": billing_agent.id})
    assert ok.status_code == 201 and ok.get_json()["assignee_id"] == billing_agent.id


@pytest.mark.parametrize(("change", "field"), [
    ({"priority": "critical"}, "priority"),
    ({"status": "archived"}, "status"),
    ({"channel": "fax"}, "channel"),
    ({"channel": "telegram"}, "channel"),
    ({"tags": ["x" * 200]}, "tags"),
    ({"tags": "not-a-list"}, "tags"),
    ({"assignee_id": 999_999}, "assignee_id"),
    ({"assignee_id": "1"}, "assignee_id"),
    ({"group": "Nowhere"}, "group"),
    ({"colour": "red"}, "colour"),
])
def test_unknown_values_are_refused_naming_the_field(api, row_counts, change, field):
    before = row_counts()
    response = api.post("/tickets", json=NEW | change)
    assert response.status_code == 422, response.get_json()
    assert errors_of(response)[field]
    assert row_counts() == before


def test_a_repeated_request_changes_nothing_the_second_time(api, make_user):
    payload = NEW | {"external_id": "call-7", "priority": "high", "tags": ["once"]}
    first = api.post("/tickets", json=payload)
    again = api.post("/tickets", json=payload | {"priority": "low"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["priority"] == "high"
