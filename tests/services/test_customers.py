"""Customer records: one customer, many identities; merges keep an audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import AuditEntry, Customer, Identity, Organization, Ticket
from helpdesk.services import customers


def test_addresses_are_normalised_per_kind():
    assert customers.normalise_address("email", "  Ana@Example.COM ") == "ana@example.com"
    assert customers.normalise_address("whatsapp", "+34 600-123 456") == "+34600123456"
    assert customers.normalise_address("telegram", " 12345 ") == "12345"
    with pytest.raises(customers.CustomerError):
        customers.normalise_address("fax", "123")


def test_new_email_customer_joins_the_organization_of_its_domain(inbound):
    org = Organization(name="Globex", domain="globex.example")
    db.session.add(org)
    db.session.commit()
    ticket = db.session.get(Ticket, inbound(email="homer@globex.example").ticket_id)
    assert ticket.customer.organization_id == org.id


def test_identity_of_another_customer_cannot_be_taken(inbound):
    inbound(email="a@example.com")
    b = db.session.get(Ticket, inbound(email="b@example.com").ticket_id).customer
    with pytest.raises(customers.CustomerError, match="already belongs"):
        customers.add_identity(b, "email", "A@example.com")


def test_merge_moves_identities_and_tickets_and_is_audited(inbound, make_user):
    admin = make_user(role="admin")
    t1 = db.session.get(Ticket, inbound(email="ana@work.example", name="Ana").ticket_id)
    t2 = db.session.get(Ticket, inbound(kind="telegram", email="999", channel="telegram", source="bot").ticket_id)
    source, target = t2.customer, t1.customer
    source.tier = "vip"
    db.session.commit()
    customers.merge(source, target, actor_id=admin.id)
    target = db.session.get(Customer, target.id)
    assert sorted((i.kind, i.address) for i in target.identities) == [("email", "ana@work.example"), ("telegram", "999")]
    assert {t.customer_id for t in db.session.scalars(select(Ticket))} == {target.id}
    assert target.tier == "vip"
    assert db.session.get(Customer, source.id).merged_into_id == target.id
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "customer.merge"))
    assert (audit.action, audit.actor_id, audit.target_id) == ("customer.merge", admin.id, target.id)
    assert audit.data["source_id"] == source.id and audit.data["ticket_ids"] == [t2.id]
    # The merged identity now resolves to the surviving customer.
    again = inbound(kind="telegram", email="999", channel="telegram", source="bot", thread_key="other")
    assert db.session.get(Ticket, again.ticket_id).customer_id == target.id


def test_merge_into_itself_or_twice_is_refused(inbound):
    a = db.session.get(Ticket, inbound(email="a@example.com").ticket_id).customer
    b = db.session.get(Ticket, inbound(email="b@example.com").ticket_id).customer
    with pytest.raises(customers.CustomerError):
        customers.merge(a, a, actor_id=None)
    customers.merge(a, b, actor_id=None)
    with pytest.raises(customers.CustomerError):
        customers.merge(db.session.get(Customer, a.id), b, actor_id=None)
    assert db.session.scalar(select(Identity.customer_id).where(Identity.address == "a@example.com")) == b.id
