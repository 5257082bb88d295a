"""An agent reads and changes only the customers of their groups' tickets, as for tickets (the audit's
finding: a Support agent merged a Billing-only customer and made them VIP)."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import AuditEntry, Customer, Identity, Ticket
from tests.api.helpers import errors_of


def customer_of(ticket_id: int) -> int:
    return db.session.get(Ticket, ticket_id).customer_id


def test_a_support_agent_cannot_read_change_or_merge_a_billing_only_customer(api, inbound, row_counts, groups):
    billing_ticket = inbound(email="bill@example.com", name="Bill", group_hint="Billing").ticket_id
    mine = customer_of(inbound(email="sue@example.com", name="Sue").ticket_id)
    billing = customer_of(billing_ticket)
    before = row_counts()
    assert api.get(f"/customers/{billing}").status_code == 404
    response = api.patch(f"/customers/{billing}", json={"tier": "vip"})
    assert response.status_code == 404 and "merged_into_id" not in response.get_json()
    assert api.post(f"/customers/{billing}/merge", json={"target_id": mine}).status_code == 404
    # Merging one's own customer into the Billing one is refused as if it did not exist.
    into = api.post(f"/customers/{mine}/merge", json={"target_id": billing})
    assert into.status_code == 422 and errors_of(into)["target_id"] == [f"no customer {billing}"]
    assert row_counts() == before
    db.session.expire_all()
    bill = db.session.get(Customer, billing)
    assert (bill.tier, bill.merged_into_id) == ("standard", None)
    assert db.session.get(Ticket, billing_ticket).customer_id == billing
    assert db.session.scalars(select(Identity.customer_id).where(Identity.address == "bill@example.com")).one() == billing
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.target_type == "customer")) is None  # group set-up is audited too


def test_search_lists_only_the_agents_customers_and_supervisors_see_all(api, api_as, make_user, inbound, groups):
    sue = customer_of(inbound(email="sue@example.com", name="Sue Shared").ticket_id)
    inbound(email="sue@example.com", group_hint="Billing", thread_key="b")
    bill = customer_of(inbound(email="bill@example.com", name="Bill Shared", group_hint="Billing").ticket_id)
    assert [c["id"] for c in api.get("/customers?q=shared").get_json()["items"]] == [sue]
    assert [c["id"] for c in api.get("/customers").get_json()["items"]] == [sue]
    supervisor = api_as(make_user(role="supervisor", groups=()))
    assert [c["id"] for c in supervisor.get("/customers?q=shared").get_json()["items"]] == [bill, sue]
    assert supervisor.patch(f"/customers/{bill}", json={"tier": "vip"}).get_json()["tier"] == "vip"


def test_a_customer_an_agent_created_is_theirs_until_it_has_a_ticket_elsewhere(api, api_as, make_user, inbound, groups):
    created = api.post("/customers", json={"name": "New", "identities": [{"kind": "email", "address": "new@example.com"}]})
    customer_id = created.get_json()["id"]
    colleague = api_as(make_user(role="agent", groups=("Support",)))
    assert api.get(f"/customers/{customer_id}").status_code == 200
    assert colleague.get(f"/customers/{customer_id}").status_code == 404
    assert [c["id"] for c in api.get("/customers").get_json()["items"]] == [customer_id]
    inbound(email="new@example.com", group_hint="Billing")
    assert api.get(f"/customers/{customer_id}").status_code == 404
    assert api.patch(f"/customers/{customer_id}", json={"name": "Changed"}).status_code == 404


def test_a_merged_customer_names_its_survivor_only_to_who_may_see_it(api, api_as, make_user, inbound, groups):
    source = customer_of(inbound(kind="telegram", email="55", channel="telegram", source="bot",
                                 group_hint="Billing").ticket_id)
    target = customer_of(inbound(email="kept@example.com", group_hint="Billing").ticket_id)
    biller = api_as(make_user(role="agent", groups=("Billing",)))
    assert biller.post(f"/customers/{source}/merge", json={"target_id": target}).status_code == 200
    assert biller.get(f"/customers/{source}").get_json()["merged_into_id"] == target
    response = api.get(f"/customers/{source}")
    assert response.status_code == 404 and "merged_into_id" not in response.get_json()
