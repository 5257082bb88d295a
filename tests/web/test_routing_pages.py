"""The routing admin (admins only), the agents board (supervisors and admins) and sign-out."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import AgentSkill, AuditEntry
from helpdesk.services.routing import availability, snapshot


def test_admins_set_a_groups_routing_and_an_agents_skills_audited(client, login, make_user, groups):
    admin = make_user(role="admin", groups=())
    agent = make_user(name="Ana")
    login(admin)
    page = client.get("/admin/routing").get_data(as_text=True)
    assert "Support" in page and "Least loaded" in page and "Ana" in page
    response = client.post(f"/admin/routing/groups/{groups[0].id}", data={
        "strategy": "skills", "chat_capacity": "4", "messaging_capacity": "2", "ticket_capacity": "15",
        "offer_timeout": "45"})
    assert response.status_code == 303
    row = snapshot.settings_of(groups[0].id)
    assert (row.strategy, row.chat_capacity, row.offer_timeout) == ("skills", 4, 45)
    bad = client.post(f"/admin/routing/groups/{groups[0].id}", data={
        "strategy": "skills", "chat_capacity": "many", "messaging_capacity": "2", "ticket_capacity": "15",
        "offer_timeout": "45"}, follow_redirects=True)
    assert "chat capacity must be a whole number" in bad.get_data(as_text=True)
    client.post(f"/admin/routing/agents/{agent.id}", data={"chat_capacity": "2", "messaging_capacity": "",
                                                          "ticket_capacity": "", "skills": "language:es:5\ntag:billing"})
    assert {(s.kind, s.value, s.level) for s in db.session.scalars(select(AgentSkill))} == {
        ("language", "es", 5), ("tag", "billing", 3)}
    assert "es (5)" in client.get("/admin/routing").get_data(as_text=True)
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"group_routing.create", "agent_skill.create", "agent_capacity.create"} <= actions, actions


def test_routing_admin_is_admins_only_and_the_board_supervisors_only(client, login, make_user, groups):
    login(make_user(role="agent"))
    assert client.get("/admin/routing").status_code == 404
    assert client.post(f"/admin/routing/groups/{groups[0].id}", data={"strategy": "skills"}).status_code == 404
    assert client.get("/agents/live").status_code == 403


def test_the_board_lists_agents_with_status_and_sign_out_makes_offline(client, login, make_user, groups):
    supervisor = make_user(role="supervisor", groups=())
    ana = make_user(name="Ana Board")
    availability.set_status(ana, "away")
    login(supervisor)
    page = client.get("/agents/live").get_data(as_text=True)
    assert f'id="agent-row-{ana.id}"' in page and 'data-status="away"' in page
    assert 'id="availability"' in page  # the header's control
    availability.set_status(supervisor, "online", "console opened")
    client.post("/logout")
    assert availability.status_of(supervisor.id).status == "offline"
    assert availability.status_of(supervisor.id).reason == "signed out"
