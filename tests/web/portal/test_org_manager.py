"""Who manages an organization in the portal is set by an admin only (console and API), audited."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import AuditEntry, Customer, Organization
from helpdesk.services import customers


def _customer() -> Customer:
    org = Organization(name="Acme", domain="acme.example")
    db.session.add(org)
    db.session.commit()
    return customers.create_customer(name="Boss", identities=[("email", "boss@acme.example")], organization_id=org.id)


def test_an_admin_makes_a_customer_the_organizations_manager_with_an_audit_entry(app, client, make_user, groups, login):
    boss = _customer()
    admin = make_user(role="admin")
    login(admin)
    answer = client.post(f"/customers/{boss.id}", data={"name": "Boss", "org_manager_shown": "1", "org_manager": "1"})
    assert answer.status_code == 303
    db.session.expire_all()
    assert db.session.get(Customer, boss.id).org_manager is True
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "customer.org_manager"))
    assert (entry.actor_id, entry.target_id, entry.after) == (admin.id, boss.id, {"org_manager": True})
    client.post(f"/customers/{boss.id}", data={"name": "Boss", "org_manager_shown": "1"})
    db.session.expire_all()
    assert db.session.get(Customer, boss.id).org_manager is False


def test_an_agent_may_not_and_the_api_says_so(app, client, make_user, groups, login, token_for, inbound):
    boss = _customer()
    inbound(email="boss@acme.example")  # a ticket in the agent's group: the agent sees the customer
    agent = make_user()
    login(agent)
    client.post(f"/customers/{boss.id}", data={"name": "Boss", "org_manager_shown": "1", "org_manager": "1"})
    db.session.expire_all()
    assert db.session.get(Customer, boss.id).org_manager is False
    api = app.test_client()
    refused = api.patch(f"/api/v1/customers/{boss.id}", json={"org_manager": True},
                        headers={"Authorization": f"Bearer {token_for(agent)}"})
    assert refused.status_code == 403
    done = api.patch(f"/api/v1/customers/{boss.id}", json={"org_manager": True},
                     headers={"Authorization": f"Bearer {token_for(make_user(role='admin'))}"})
    assert done.status_code == 200 and done.get_json()["org_manager"] is True


def test_an_agent_moving_a_manager_to_another_organization_takes_the_managing_away(app, client, make_user, groups,
                                                                                    login, inbound):
    boss = _customer()
    boss.org_manager = True
    globex = Organization(name="Globex", domain="globex.example")
    db.session.add(globex)
    db.session.commit()
    inbound(email="boss@acme.example")  # the agent sees the customer
    login(make_user())
    assert client.post(f"/customers/{boss.id}", data={"name": "Boss", "organization_id": str(globex.id)}).status_code == 303
    db.session.expire_all()
    moved = db.session.get(Customer, boss.id)
    assert (moved.organization_id, moved.org_manager) == (globex.id, False)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "customer.org_manager"))
    assert entry.after == {"org_manager": False}
