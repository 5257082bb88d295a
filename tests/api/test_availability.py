"""/api/v1/agents/<id>/availability: an agent reads and sets their own, supervisors anyone's."""

from __future__ import annotations

from tests.api.helpers import errors_of


def test_an_agent_sets_their_own_availability(api, agent):
    assert api.get(f"/agents/{agent.id}/availability").get_json()["status"] == "offline"
    body = api.put(f"/agents/{agent.id}/availability", json={"status": "online"}).get_json()
    assert (body["status"], body["reason"], body["user_id"]) == ("online", "agent", agent.id)
    assert api.get(f"/agents/{agent.id}/availability").get_json()["status"] == "online"


def test_an_agent_cannot_touch_a_colleagues_availability(api, make_user):
    colleague = make_user(name="Ben")
    assert api.get(f"/agents/{colleague.id}/availability").status_code == 403
    assert api.put(f"/agents/{colleague.id}/availability", json={"status": "offline"}).status_code == 403


def test_a_supervisor_sets_anyones_and_it_says_so(api_as, agent, make_user):
    supervisor = api_as(make_user(role="supervisor", groups=()))
    body = supervisor.put(f"/agents/{agent.id}/availability", json={"status": "away"}).get_json()
    assert (body["status"], body["reason"]) == ("away", "admin")
    assert supervisor.get("/agents/999999/availability").status_code == 404


def test_an_unknown_status_is_a_clear_422(api, agent):
    response = api.put(f"/agents/{agent.id}/availability", json={"status": "busy"})
    assert response.status_code == 422
    assert "status" in errors_of(response)
    assert api.put(f"/agents/{agent.id}/availability", json={}).status_code == 422
