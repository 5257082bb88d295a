"""/api/v1/me and /api/v1/users: admins list, create (invite), read and change staff."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import AuditEntry, User
from tests.api.helpers import errors_of
from tests.support import mailed_path


@pytest.fixture
def admin(make_user, groups):
    return make_user(role="admin", groups=(), name="Alex Admin")


def test_me_describes_the_caller(api, agent):
    body = api.get("/me").get_json()
    assert body["id"] == agent.id and body["email"] == agent.email and body["groups"] == ["Support"]
    assert body["role"] == "agent" and body["active"] is True and body["two_factor"] is False
    assert "password" not in str(body) and "session_token" not in body


def test_only_admins_manage_users(api, agent):
    assert api.get("/users").status_code == 403
    assert api.get(f"/users/{agent.id}").status_code == 403
    assert api.patch(f"/users/{agent.id}", json={"role": "admin"}).status_code == 403
    assert api.post("/users", json={"email": "x@staff.example", "name": "X", "role": "admin"}).status_code == 403
    assert db.session.get(User, agent.id).role == "agent"


def test_admin_lists_and_reads_users(api_as, admin, agent):
    api = api_as(admin)
    listed = api.get("/users").get_json()["items"]
    assert {u["email"] for u in listed} == {admin.email, agent.email}
    assert api.get(f"/users/{agent.id}").get_json()["name"] == "Ana Agent"
    assert api.get("/users/999999").status_code == 404


def test_creating_without_a_password_emails_a_single_use_invitation(api_as, admin, client, smtp_server):
    response = api_as(admin).post("/users", json={"email": "New@Staff.example", "name": "Nia New", "role": "agent",
                                                  "groups": ["Billing"], "language": "es"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["email"] == "new@staff.example" and body["invitation_pending"] is True and body["groups"] == ["Billing"]
    mail = smtp_server.messages[-1]
    assert mail.rcpt_tos == ["new@staff.example"]
    path = mailed_path(mail.content, "/account/invitation/")
    form = {"password": "a brand new long secret", "confirm": "a brand new long secret"}
    assert client.get(path).status_code == 200
    assert client.post(path, data=form).status_code == 303
    assert client.post(path, data=form).status_code == 410  # single use
    assert client.post("/login", data={"email": "new@staff.example", "password": form["password"]}).status_code == 302


def test_creating_with_a_password_is_ready_at_once(api_as, admin, client):
    response = api_as(admin).post("/users", json={"email": "sam@staff.example", "name": "Sam", "role": "supervisor",
                                                  "password": "a long enough password"})
    assert response.status_code == 201 and response.get_json()["invitation_pending"] is False
    assert client.post("/login", data={"email": "sam@staff.example", "password": "a long enough password"}).status_code == 302


@pytest.mark.parametrize(("payload", "status", "field"), [
    ({"email": "not-an-address", "name": "X", "role": "agent"}, 422, "email"),
    ({"email": "x@staff.example", "name": "X", "role": "owner"}, 422, "role"),
    ({"email": "x@staff.example", "name": " ", "role": "agent"}, 422, "name"),
    ({"email": "x@staff.example", "name": "X", "role": "agent", "groups": ["Nope"]}, 422, "groups"),
    ({"email": "x@staff.example", "name": "X", "role": "agent", "password": "short"}, 422, "password"),
    ({"email": "x@staff.example", "name": "X", "role": "agent", "password": "password1234"}, 422, "password"),
    ({"email": "x@staff.example", "name": "X", "role": "agent", "language": "klingon"}, 422, "language"),
])
def test_bad_new_users_are_refused_with_the_field(api_as, admin, payload, status, field):
    response = api_as(admin).post("/users", json=payload)
    assert response.status_code == status
    assert field in errors_of(response)
    assert db.session.scalar(select(User).where(User.email == "x@staff.example")) is None


def test_a_taken_address_is_a_conflict(api_as, admin, agent):
    response = api_as(admin).post("/users", json={"email": agent.email, "name": "Again", "role": "agent"})
    assert response.status_code == 409 and "email" in errors_of(response)


def test_patch_changes_role_groups_name_language_and_audits_it(api_as, admin, agent):
    response = api_as(admin).patch(f"/users/{agent.id}", json={"role": "supervisor", "groups": ["Billing"],
                                                               "name": "Ana Lead", "language": "es"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["role"], body["groups"], body["name"], body["language"]) == ("supervisor", ["Billing"], "Ana Lead", "es")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.update"))
    assert entry.actor_id == admin.id and entry.via == "api" and entry.ip == "127.0.0.1"
    assert entry.before == {"name": "Ana Agent", "role": "agent", "groups": ["Support"], "language": None}
    assert entry.after == {"name": "Ana Lead", "role": "supervisor", "groups": ["Billing"], "language": "es"}


def test_switching_off_ends_the_users_tokens_at_once(api_as, admin, agent, api):
    assert api.get("/me").status_code == 200
    response = api_as(admin).patch(f"/users/{agent.id}", json={"active": False})
    assert response.status_code == 200 and response.get_json()["active"] is False
    assert api.get("/me").status_code == 401
    api_as(admin).patch(f"/users/{agent.id}", json={"active": True})
    assert api.get("/me").status_code == 401  # tokens stay revoked


def test_the_last_admin_cannot_be_switched_off_or_demoted(api_as, admin):
    api = api_as(admin)
    for change in ({"active": False}, {"role": "agent"}):
        response = api.patch(f"/users/{admin.id}", json=change)
        assert response.status_code == 422, response.get_json()
    assert db.session.get(User, admin.id).active and db.session.get(User, admin.id).role == "admin"


@pytest.mark.parametrize("payload", [{"active": "no"}, {"role": None}, {"groups": "Support"}, {"name": ""},
                                     {"unknown": 1}])
def test_bad_changes_are_422(api_as, admin, agent, payload):
    assert api_as(admin).patch(f"/users/{agent.id}", json=payload).status_code == 422


def test_you_create_list_and_revoke_your_own_tokens(api, client):
    created = api.post("/me/tokens", json={"name": "CRM sync"})
    assert created.status_code == 201
    body = created.get_json()
    assert body["token"].startswith("hd_") and body["name"] == "CRM sync" and body["active"] is True
    mine = {"Authorization": f"Bearer {body['token']}"}
    assert client.get("/api/v1/me", headers=mine, environ_base={"REMOTE_ADDR": "192.0.2.9"}).status_code == 200
    listed = api.get("/me/tokens").get_json()["items"]
    new = next(t for t in listed if t["id"] == body["id"])
    assert new["last_used_ip"] == "192.0.2.9" and new["last_used_at"] and "token" not in new
    assert api.delete(f"/me/tokens/{body['id']}").get_json()["active"] is False
    assert client.get("/api/v1/me", headers=mine).status_code == 401
    assert any(t["id"] == body["id"] and t["revoked_at"] for t in api.get("/me/tokens").get_json()["items"])
    assert api.post("/me/tokens", json={"name": " "}).status_code == 422


def test_a_token_of_someone_else_is_404_to_you_and_revocable_by_an_admin(api_as, admin, agent, make_user, token_for):
    other = make_user()
    token_for(other)
    other_token = api_as(admin).get(f"/users/{other.id}/tokens").get_json()["items"][0]
    assert api_as(agent).delete(f"/me/tokens/{other_token['id']}").status_code == 404
    assert api_as(agent).get(f"/users/{other.id}/tokens").status_code == 403
    revoked = api_as(admin).delete(f"/users/{other.id}/tokens/{other_token['id']}")
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"]
    assert api_as(admin).delete(f"/users/{agent.id}/tokens/{other_token['id']}").status_code == 404
