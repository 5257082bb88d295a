"""Saved views through /api/v1/views: personal and shared, each user's order, counts, tickets."""

from __future__ import annotations

import pytest

from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.services import tickets
from tests.api.helpers import errors_of


@pytest.fixture
def urgent(agent, inbound) -> int:
    ticket_id = inbound(email="maria@customer.example", subject="Site down").ticket_id
    tickets.update_ticket(db.session.get(Ticket, ticket_id), agent, priority="urgent")
    return ticket_id


@pytest.fixture
def normal(inbound) -> int:
    return inbound(email="kim@customer.example", subject="Question").ticket_id


@pytest.fixture
def billing_urgent(groups, inbound, make_user) -> int:
    ticket_id = inbound(email="bill@customer.example", subject="Invoice", group_hint="Billing").ticket_id
    tickets.update_ticket(db.session.get(Ticket, ticket_id), None, priority="urgent")
    return ticket_id


URGENT = {"name": "Urgent open", "filters": {"view": "open", "priorities": ["urgent"]}, "sort": "priority",
          "columns": ["subject", "number", "priority"]}


def test_an_agent_saves_a_personal_view_and_lists_its_tickets(api, urgent, normal, billing_urgent):
    created = api.post("/views", json=URGENT)
    assert created.status_code == 201, created.get_json()
    view = created.get_json()
    assert view["name"] == "Urgent open" and view["shared"] is False and view["editable"] is True
    assert view["columns"] == ["number", "subject", "priority"]  # the table's order, whatever was sent
    assert view["filters"] == {"view": "open", "priorities": ["urgent"]}
    assert view["count"] == 1  # the Billing ticket is not the Support agent's to see
    page = api.get(f"/views/{view['id']}/tickets")
    assert [t["id"] for t in page.get_json()["items"]] == [urgent]
    assert api.get(f"/views/{view['id']}").get_json()["count"] == 1
    assert [v["id"] for v in api.get("/views").get_json()["items"]] == [view["id"]]


def test_shared_views_are_seen_by_all_and_changed_by_supervisors_only(api, api_as, make_user, urgent,
                                                                      billing_urgent):
    supervisor = api_as(make_user(role="supervisor", groups=()))
    assert api.post("/views", json=URGENT | {"shared": True}).status_code == 403
    shared = supervisor.post("/views", json=URGENT | {"shared": True}).get_json()
    assert shared["count"] == 2  # a supervisor sees every group's tickets
    as_agent = api.get(f"/views/{shared['id']}").get_json()
    assert as_agent["count"] == 1 and as_agent["editable"] is False
    assert api.patch(f"/views/{shared['id']}", json={"name": "Mine now"}).status_code == 403
    assert api.delete(f"/views/{shared['id']}").status_code == 403
    renamed = supervisor.patch(f"/views/{shared['id']}", json={"name": "Fires"})
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "Fires"
    assert supervisor.delete(f"/views/{shared['id']}").status_code == 204
    assert api.get(f"/views/{shared['id']}").status_code == 404


def test_a_personal_view_is_invisible_to_everyone_else(api, api_as, make_user):
    view = api.post("/views", json={"name": "Mine"}).get_json()
    colleague = api_as(make_user(role="agent"))
    for response in (colleague.get(f"/views/{view['id']}"), colleague.get(f"/views/{view['id']}/tickets"),
                     colleague.patch(f"/views/{view['id']}", json={"position": 0}),
                     colleague.delete(f"/views/{view['id']}")):
        assert response.status_code == 404
    assert colleague.get("/views").get_json()["items"] == []


def test_each_user_sets_their_own_order(api, api_as, make_user):
    supervisor = api_as(make_user(role="supervisor", groups=()))
    shared = supervisor.post("/views", json={"name": "Team", "shared": True}).get_json()["id"]
    a = api.post("/views", json={"name": "A"}).get_json()["id"]
    b = api.post("/views", json={"name": "B"}).get_json()["id"]
    assert [v["id"] for v in api.get("/views").get_json()["items"]] == [shared, a, b]
    moved = api.patch(f"/views/{b}", json={"position": 0})  # anyone may place a view they see
    assert moved.status_code == 200 and moved.get_json()["position"] == 0
    api.patch(f"/views/{shared}", json={"position": 5})  # past the end: last
    listed = api.get("/views").get_json()["items"]
    assert [(v["id"], v["position"]) for v in listed] == [(b, 0), (a, 1), (shared, 2)]
    assert [v["id"] for v in supervisor.get("/views").get_json()["items"]] == [shared]


def test_bad_views_answer_422_naming_the_field(api, row_counts):
    before = row_counts()
    cases = [
        ({"name": ""}, "name"),
        ({"name": "x", "columns": ["secret"]}, "columns"),
        ({"name": "x", "sort": "random"}, "sort"),
        ({"name": "x", "filters": {"view": "everything"}}, "filters"),
        ({"name": "x", "filters": {"statuses": ["lost"]}}, "filters"),
        ({"name": "x", "filters": {"group_id": "1"}}, "filters"),
        ({"name": "x", "filters": {"assignee_id": 2**31}}, "filters"),
        ({"name": "x", "owner_id": 1}, "owner_id"),
    ]
    for body, field in cases:
        response = api.post("/views", json=body)
        assert response.status_code == 422, body
        assert field in errors_of(response), (body, response.get_json())
    view = api.post("/views", json={"name": "ok"}).get_json()
    assert api.patch(f"/views/{view['id']}", json={"position": -1}).status_code == 422
    assert api.patch(f"/views/{view['id']}", json={"columns": []}).status_code == 422
    assert api.get("/views/99999").status_code == 404
    assert row_counts() == before


def test_counts_stop_at_the_cap(api, inbound, monkeypatch):
    from helpdesk.services import saved_views

    monkeypatch.setattr(saved_views, "COUNT_CAP", 2)
    for n in range(4):
        inbound(email=f"c{n}@example.com", subject=f"Ticket {n}")
    view = api.post("/views", json={"name": "All open"}).get_json()
    assert view["count"] == 3
    assert saved_views.count_label(3) == "2+"


def test_views_need_a_token(client):
    assert client.get("/api/v1/views").status_code == 401
