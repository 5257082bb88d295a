"""Customer pages: search, profile across channels, identities, merge."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import AuditEntry, Customer, Ticket
from helpdesk.services import staff


@pytest.fixture
def agent(app, make_user, login):
    staff.get_or_create_group("Support")
    staff.get_or_create_group("Billing")
    user = make_user(groups=("Support",))
    login(user)
    return user


def test_search_finds_customers_by_name_or_any_identity(client, agent, inbound):
    inbound(email="kim@example.com", name="Kim Possible")
    inbound(kind="telegram", email="424242", name="Ron", channel="telegram", source="bot", thread_key="c1")
    assert "Kim Possible" in client.get("/customers?q=possible").get_data(as_text=True)
    found = client.get("/customers?q=4242").get_data(as_text=True)
    assert "Ron" in found and "Kim Possible" not in found


def test_profile_shows_identities_and_only_visible_history(client, agent, inbound):
    mine = inbound(email="kim@example.com", subject="Support thing", group_hint="Support").ticket_id
    theirs = inbound(email="kim@example.com", subject="Billing thing", group_hint="Billing").ticket_id
    customer_id = db.session.get(Ticket, mine).customer_id
    page = client.get(f"/customers/{customer_id}").get_data(as_text=True)
    assert "kim@example.com" in page and "Support thing" in page
    assert "Billing thing" not in page and f"/tickets/{theirs}" not in page


def test_identity_of_someone_else_is_refused(client, agent, inbound):
    a = db.session.get(Ticket, inbound(email="a@example.com").ticket_id).customer_id
    inbound(email="b@example.com")
    response = client.post(f"/customers/{a}/identities", data={"kind": "email", "address": "B@example.com"},
                           follow_redirects=True)
    assert "already belongs to customer" in response.get_data(as_text=True)
    client.post(f"/customers/{a}/identities", data={"kind": "whatsapp", "address": "+34 600 11 22 33"})
    identities = {(i.kind, i.address) for i in db.session.get(Customer, a).identities}
    assert identities == {("email", "a@example.com"), ("whatsapp", "+34600112233")}


def test_merge_moves_identities_and_tickets_and_keeps_an_audit_entry(client, agent, inbound):
    a_ticket = inbound(email="ana@example.com").ticket_id
    b_ticket = inbound(kind="telegram", email="77", channel="telegram", source="bot", thread_key="c77").ticket_id
    a = db.session.get(Ticket, a_ticket).customer_id
    b = db.session.get(Ticket, b_ticket).customer_id
    response = client.post(f"/customers/{b}/merge", data={"target_id": str(a)})
    assert response.status_code == 303 and response.location.endswith(f"/customers/{a}")
    db.session.expire_all()
    assert db.session.get(Ticket, b_ticket).customer_id == a
    assert {i.kind for i in db.session.get(Customer, a).identities} == {"email", "telegram"}
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "customer.merge")).one()
    assert audit.actor_id == agent.id and audit.data["source_id"] == b
    assert client.get(f"/customers/{b}").location.endswith(f"/customers/{a}")


def test_merge_into_itself_or_nothing_is_refused(client, agent, inbound):
    a = db.session.get(Ticket, inbound().ticket_id).customer_id
    same = client.post(f"/customers/{a}/merge", data={"target_id": str(a)}, follow_redirects=True)
    assert "cannot be merged into itself" in same.get_data(as_text=True)
    assert client.post(f"/customers/{a}/merge", data={"target_id": "999999"}).status_code == 404


def test_profile_edit_validates_every_field(client, agent, inbound):
    customer_id = db.session.get(Ticket, inbound(name="Kim").ticket_id).customer_id
    response = client.post(f"/customers/{customer_id}", data={
        "name": "Kim Possible", "language": "es-mx", "timezone": "America/Mexico_City", "tier": "vip",
        "notes": "Prefers <b>phone</b>", "organization_id": ""})
    assert response.status_code == 303
    customer = db.session.get(Customer, customer_id)
    assert (customer.name, customer.language, customer.timezone, customer.tier) == ("Kim Possible", "es-MX", "America/Mexico_City", "vip")
    assert "Prefers &lt;b&gt;phone&lt;/b&gt;" in client.get(f"/customers/{customer_id}").get_data(as_text=True)
    for field, value in (("timezone", "Mars/Olympus"), ("tier", "platinum"), ("language", "english please"), ("name", "")):
        page = client.post(f"/customers/{customer_id}", data={field: value}, follow_redirects=True).get_data(as_text=True)
        assert "Not saved" in page and field in page, field
    db.session.expire_all()
    assert db.session.get(Customer, customer_id).tier == "vip"


def test_likely_duplicates_are_suggested_and_merged_in_one_click(client, agent, inbound):
    email_ticket = inbound(email="lucia@example.com", name="Lucía Fernández").ticket_id
    wa_ticket = inbound(kind="whatsapp", email="+34 600 123 456", name="Lucía Fernández", channel="whatsapp",
                        source="wa", thread_key="wa-1").ticket_id
    customer_id = db.session.get(Ticket, email_ticket).customer_id
    other_id = db.session.get(Ticket, wa_ticket).customer_id
    page = client.get(f"/tickets/{email_ticket}").get_data(as_text=True)
    assert "Possibly the same person" in page and "same name Lucía Fernández" in page
    response = client.post(f"/customers/{other_id}/merge", data={"target_id": str(customer_id),
                                                                 "back_to": f"/tickets/{email_ticket}"})
    assert response.status_code == 303 and response.location.endswith(f"/tickets/{email_ticket}")
    db.session.expire_all()
    assert db.session.get(Ticket, wa_ticket).customer_id == customer_id
    sidebar = client.get(f"/tickets/{email_ticket}").get_data(as_text=True)
    assert f"/tickets/{wa_ticket}" in sidebar and "Possibly the same person" not in sidebar


def test_same_phone_on_whatsapp_and_phone_identities_is_suggested(app, inbound):
    from helpdesk.services import customers

    a = db.session.get(Ticket, inbound(kind="whatsapp", email="+34600111222", name="A", channel="whatsapp",
                                       source="wa", thread_key="a").ticket_id).customer
    b = db.session.get(Ticket, inbound(email="b@example.com", name="B").ticket_id).customer
    customers.add_identity(b, "phone", "+34 600 11 12 22")
    db.session.commit()
    assert [(d.customer.id, d.reason) for d in customers.likely_duplicates(a)] == [(b.id, "same phone number +34600111222")]


def test_a_customer_of_another_group_is_not_found_anywhere_in_the_console(client, agent, inbound):
    bill_ticket = inbound(email="bill@example.com", name="Bill Other", group_hint="Billing").ticket_id
    bill = db.session.get(Ticket, bill_ticket).customer_id
    sue_ticket = inbound(email="sue@example.com", name="Sue Mine").ticket_id
    sue = db.session.get(Ticket, sue_ticket).customer_id
    inbound(kind="whatsapp", email="+34600999888", name="Bill Other", channel="whatsapp", source="wa",
            thread_key="wa", group_hint="Billing")
    listed = client.get("/customers?q=o").get_data(as_text=True)
    assert "Sue Mine" in listed and "Bill Other" not in listed
    assert client.get(f"/customers/{bill}").status_code == 404
    assert client.post(f"/customers/{bill}", data={"tier": "vip"}).status_code == 404
    assert client.post(f"/customers/{bill}/identities", data={"kind": "phone", "address": "+1 555 0199"}).status_code == 404
    assert client.post(f"/customers/{bill}/merge", data={"target_id": str(sue)}).status_code == 404
    assert client.post(f"/customers/{sue}/merge", data={"target_id": str(bill)}).status_code == 404
    db.session.expire_all()
    customer = db.session.get(Customer, bill)
    assert (customer.tier, customer.merged_into_id, len(customer.identities)) == ("standard", None, 1)
    assert db.session.get(Ticket, bill_ticket).customer_id == bill
    # Renamed to match Bill, Sue is not offered a merge with a customer the agent may not see.
    client.post(f"/customers/{sue}", data={"name": "Bill Other"})
    assert "Possibly the same person" not in client.get(f"/customers/{sue}").get_data(as_text=True)


def test_a_customer_is_merged_by_searching_the_one_to_keep(client, login, make_user, groups, inbound):

    keep = db.session.get(Ticket, inbound(email="maria@example.com", name="María López").ticket_id).customer_id
    dupe = db.session.get(Ticket, inbound(email="m.lopez@work.example", name="M. Lopez").ticket_id).customer_id
    hidden = db.session.get(Ticket, inbound(email="maria.b@example.com", name="María Billing",
                                            group_hint="Billing").ticket_id).customer_id
    login(make_user(groups=("Support",)))
    page = client.get(f"/customers/{dupe}?merge_q=Mar").get_data(as_text=True)
    offered = [int(n) for n in re.findall(r'name="target_id" value="(\d+)"', page[page.index('id="merge-candidates"'):])]
    assert offered == [keep]  # not the customer itself, not one of another group
    assert hidden not in offered
    merged = client.post(f"/customers/{dupe}/merge", data={"target_id": str(keep)})
    assert merged.status_code == 303 and merged.headers["Location"].endswith(f"/customers/{keep}")
