"""/admin/users: admins list, invite, edit, switch off and on, reassign open tickets, revoke tokens."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import AuditEntry, Ticket, User
from helpdesk.services import staff, tickets
from tests.support import mailed_path


def test_only_admins_see_the_users_admin(client, groups, make_user, login):
    login(make_user(role="supervisor"))
    assert client.get("/admin/users").status_code == 404
    assert client.post("/admin/users/invite", data={"email": "x@staff.example"}).status_code == 404


def test_the_list_shows_role_groups_last_sign_in_and_second_factor(client, groups, make_user, login):
    admin = make_user(role="admin", name="Alex Admin")
    make_user(name="Ana Agent", groups=("Billing",))
    login(admin)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Ana Agent" in page and "Billing" in page and "Two-factor" in page
    assert "UTC" in page  # Alex's last sign-in, just now


def test_an_invitation_mail_sets_the_password_once(app, client, groups, make_user, login, smtp_server):
    login(make_user(role="admin"))
    response = client.post("/admin/users/invite", data={"email": "nia@staff.example", "name": "Nia", "role": "agent",
                                                        "groups": ["Support"]})
    assert response.status_code == 303
    user = db.session.scalar(select(User).where(User.email == "nia@staff.example"))
    assert user.password_hash is None and [g.name for g in user.groups] == ["Support"]
    path = mailed_path(smtp_server.messages[-1].content, "/account/invitation/")
    client.post("/logout")
    weak = client.post(path, data={"password": "password1234", "confirm": "password1234"})
    assert weak.status_code == 422 and "common" in weak.get_data(as_text=True)
    ok = client.post(path, data={"password": "my own long secret", "confirm": "my own long secret"})
    assert ok.status_code == 303
    assert client.get(path).status_code == 410
    assert staff.authenticate("nia@staff.example", "my own long secret").id == user.id


def test_editing_role_groups_name_language(client, groups, make_user, login):
    login(make_user(role="admin"))
    agent = make_user(name="Ana")
    response = client.post(f"/admin/users/{agent.id}", data={"name": "Ana P", "role": "supervisor",
                                                            "groups": ["Billing"], "language": "es"})
    assert response.status_code == 303
    db.session.expire_all()
    user = db.session.get(User, agent.id)
    assert (user.name, user.role, [g.name for g in user.groups], user.language) == ("Ana P", "supervisor", ["Billing"], "es")


def test_switching_off_ends_sessions_and_lists_open_tickets_to_reassign(app, groups, make_user, login, inbound):
    admin_client, agent_client = app.test_client(), app.test_client()
    admin, agent, colleague = make_user(role="admin"), make_user(name="Ana"), make_user(name="Ben")
    agent_client.post("/login", data={"email": agent.email, "password": "correct horse battery"})
    assert agent_client.get("/tickets").status_code == 200
    ticket = db.session.get(Ticket, inbound().ticket_id)
    tickets.update_ticket(ticket, admin, assignee_id=agent.id)
    admin_client.post("/login", data={"email": admin.email, "password": "correct horse battery"})
    assert admin_client.post(f"/admin/users/{agent.id}/active", data={"active": "0"}).status_code == 303
    assert agent_client.get("/tickets").status_code == 302  # signed out at once
    page = admin_client.get(f"/admin/users/{agent.id}").get_data(as_text=True)
    assert f"#{ticket.number}" in page and "Switch on" in page
    admin_client.post(f"/admin/users/{agent.id}/reassign", data={"ticket_id": str(ticket.id),
                                                                "assignee_id": str(colleague.id)})
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).assignee_id == colleague.id
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.disable")).actor_id == admin.id


def test_admins_revoke_someone_elses_token(client, groups, make_user, login, token_for):
    admin, agent = make_user(role="admin"), make_user()
    token = token_for(agent)
    login(admin)
    row = staff.token_row(token)
    assert client.post(f"/admin/users/{agent.id}/tokens/{row.id}/revoke").status_code == 303
    assert staff.user_for_token(token) is None
    assert "revoked" in client.get(f"/admin/users/{agent.id}").get_data(as_text=True)
