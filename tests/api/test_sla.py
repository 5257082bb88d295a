"""SLA endpoints: calendars and policies CRUD (admins change, staff read), preview, a ticket's clocks."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import SlaCalendar, SlaPolicyConfig
from tests.api.helpers import PREFIX, errors_of

CALENDAR = {"name": "Madrid office", "timezone": "Europe/Madrid", "hours": {"mon-fri": ["09:00-14:00", "15:00-18:00"]},
            "country": "ES", "subdivision": "MD", "holidays": ["2026-08-14"], "half_days": {"2026-12-24": ["09:00-13:00"]}}
POLICY = {"name": "Standard", "targets": [
    {"kind": "first_response", "goal_seconds": 3600, "business_time": False},
    {"kind": "resolution", "goal_seconds": 28800, "business_time": False, "pause_statuses": ["pending"]}]}


@pytest.fixture
def admin_api(api_as, make_user, groups):
    return api_as(make_user(role="admin", groups=("Support",)))


def send(api, method: str, path: str, json=None):
    return api.client.open(PREFIX + path, method=method, headers=api.headers, json=json)


def test_an_admin_manages_calendars_and_policies(admin_api, api):
    created = admin_api.post("/sla/calendars", json=CALENDAR)
    assert created.status_code == 201, created.get_json()
    calendar = created.get_json()
    assert calendar["hours"]["mon"] == ["09:00-14:00", "15:00-18:00"] and calendar["hours"]["sat"] == []
    assert calendar["half_days"] == {"2026-12-24": ["09:00-13:00"]} and calendar["updated_at"].endswith("+00:00")
    policy = admin_api.post("/sla/policies", json=POLICY | {
        "calendar_id": calendar["id"], "conditions": {"priorities": ["urgent", "high"]},
        "escalations": {"breached": {"priority": "urgent"}}})
    assert policy.status_code == 201, policy.get_json()
    body = policy.get_json()
    assert body["conditions"]["priorities"] == ["high", "urgent"] and body["escalations"]["breached"]["priority"] == "urgent"
    assert [p["name"] for p in api.get("/sla/policies").get_json()] == ["Standard"]  # any staff member reads
    assert api.get(f"/sla/calendars/{calendar['id']}").get_json()["timezone"] == "Europe/Madrid"
    changed = send(admin_api, "PUT", f"/sla/policies/{body['id']}",
                   POLICY | {"name": "Renamed", "position": 3, "calendar_id": calendar["id"]})
    assert changed.status_code == 200 and changed.get_json()["position"] == 3
    in_use = send(admin_api, "DELETE", f"/sla/calendars/{calendar['id']}")
    assert in_use.status_code == 409 and "used by the policies" in str(in_use.get_json())
    assert send(admin_api, "DELETE", f"/sla/policies/{body['id']}").status_code == 204
    assert send(admin_api, "DELETE", f"/sla/calendars/{calendar['id']}").status_code == 204
    assert admin_api.get(f"/sla/calendars/{calendar['id']}").status_code == 404
    latest = admin_api.get("/sla/recomputes/latest").get_json()
    assert latest["state"] == "done" and "deleted" in latest["reason"]


def test_agents_and_supervisors_cannot_change_settings(api, api_as, make_user):
    for caller in (api, api_as(make_user(role="supervisor"))):
        assert caller.post("/sla/calendars", json=CALENDAR).status_code == 403
        assert caller.post("/sla/policies", json=POLICY).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(SlaCalendar)) == 0


def test_without_a_token_401(client):
    assert client.get(PREFIX + "/sla/policies").status_code == 401


@pytest.mark.parametrize("body, field", [
    (POLICY | {"targets": []}, "targets"),
    (POLICY | {"targets": [{"kind": "resolution", "goal_seconds": -5, "business_time": False}]}, "targets.0.goal_seconds"),
    (POLICY | {"targets": [{"kind": "resolution", "goal_seconds": 60}]}, "calendar_id"),
    (POLICY | {"conditions": {"groups": [424242]}}, "conditions.groups"),
    (POLICY | {"escalations": {"breached": {"assignee_id": 424242}}}, "escalations.breached.assignee_id"),
])
def test_invalid_policies_answer_422_naming_the_field(admin_api, body, field):
    response = admin_api.post("/sla/policies", json=body)
    assert response.status_code == 422
    assert field in errors_of(response)
    assert db.session.scalar(select(func.count()).select_from(SlaPolicyConfig)) == 0


@pytest.mark.parametrize("body", [
    {"name": "x"},  # no targets
    POLICY | {"targets": [{"kind": "lunch", "goal_seconds": 60}]},
    POLICY | {"targets": [{"kind": "resolution", "goal_seconds": "60"}]},
    POLICY | {"escalations": {"someday": {}}},
    POLICY | {"conditions": {"tiers": ["gold"]}},
])
def test_malformed_policies_answer_422(admin_api, body):
    assert admin_api.post("/sla/policies", json=body).status_code == 422


@pytest.mark.parametrize("body, field", [
    (CALENDAR | {"timezone": "Mars/Olympus"}, "timezone"),
    (CALENDAR | {"hours": {"mon": ["9-5"]}}, "hours"),
    (CALENDAR | {"country": "XX"}, "country"),
    (CALENDAR | {"holidays": ["tomorrow"]}, "holidays"),
])
def test_invalid_calendars_answer_422_naming_the_field(admin_api, body, field):
    response = admin_api.post("/sla/calendars", json=body)
    assert response.status_code == 422 and field in errors_of(response)


def test_preview_and_a_tickets_clocks(admin_api, api, inbound, groups):
    admin_api.post("/sla/policies", json=POLICY | {"conditions": {"priorities": ["normal"]}})
    preview = api.get("/sla/preview?priority=normal").get_json()
    assert preview["policy_name"] == "Standard" and set(preview["due"]) == {"first_response", "resolution"}
    assert api.get("/sla/preview?priority=low").get_json()["policy_id"] is None
    assert api.get("/sla/preview?priority=whenever").status_code == 422
    ticket_id = inbound().ticket_id
    clocks = api.get(f"/sla/tickets/{ticket_id}").get_json()
    assert [(c["kind"], c["state"], c["goal_seconds"]) for c in clocks["clocks"]] == [
        ("first_response", "ok", 3600), ("resolution", "ok", 28800)]
    ticket = api.get(f"/tickets/{ticket_id}").get_json()
    assert ticket["sla_state"] == "ok" and ticket["first_response_due_at"].endswith("+00:00")


def test_a_ticket_of_another_group_answers_404(api, inbound, groups):
    foreign = inbound(email="bill@customer.example", group_hint="Billing").ticket_id
    assert api.get(f"/sla/tickets/{foreign}").status_code == 404
    assert api.get("/sla/tickets/99999999999").status_code == 404
