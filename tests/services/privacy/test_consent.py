"""Consent per customer and purpose: the newest decision is in force, history kept, changes audited;
a customer who opted out of surveys gets none."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import AuditEntry, Customer, Ticket
from helpdesk.services.privacy import consent
from helpdesk.services.surveys import sending as surveys
from tests.surveys.conftest import PUBLIC_URL, later, surveys_of


def _customer(inbound, email="ana@example.com") -> Customer:
    return db.session.get(Ticket, inbound(email=email).ticket_id).customer


def test_the_newest_decision_per_purpose_is_in_force_and_every_one_is_kept(inbound, make_user):
    customer = _customer(inbound)
    assert consent.consents_of(customer) == {"service": None, "surveys": None, "marketing": None}
    consent.set_consent(customer, "marketing", True, "form")
    agent = make_user()
    consent.set_consent(customer, "marketing", False, "agent", actor=agent)
    current = consent.consents_of(customer)
    assert (current["marketing"].granted, current["marketing"].source, current["marketing"].actor_id) == (False, "agent", agent.id)
    assert [(c.purpose, c.granted, c.source) for c in consent.history(customer)] == [
        ("marketing", False, "agent"), ("marketing", True, "form")]
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "customer.consent")
                                 .order_by(AuditEntry.id)).all()
    assert [(e.target_id, e.before, e.after, e.actor_id) for e in entries] == [
        (customer.id, {"marketing": None}, {"marketing": True}, None),
        (customer.id, {"marketing": True}, {"marketing": False}, agent.id)]


def test_unknown_purposes_and_sources_are_refused(inbound):
    customer = _customer(inbound)
    with pytest.raises(consent.ConsentError, match="purpose"):
        consent.set_consent(customer, "newsletter", True, "form")
    with pytest.raises(consent.ConsentError, match="source"):
        consent.set_consent(customer, "surveys", True, "fax")


def test_never_asked_allows_service_and_surveys_but_not_marketing(inbound):
    customer = _customer(inbound)
    assert [consent.allows(customer.id, p) for p in ("service", "surveys", "marketing")] == [True, True, False]


def test_a_customer_who_opted_out_of_surveys_gets_none_and_one_who_opted_back_in_does(enable, solved, inbound):
    enable("csat")
    opted_out = _customer(inbound, "out@example.com")
    consent.set_consent(opted_out, "surveys", False, "portal")
    ticket = solved(email="out@example.com")
    [survey] = surveys_of(ticket.id)
    assert surveys.send_due(PUBLIC_URL, now=later(ticket)) == {survey.id: "skipped"}
    assert surveys_of(ticket.id)[0].skip_reason == "the customer opted out of surveys"
    consent.set_consent(opted_out, "surveys", True, "portal")
    other = solved(email="out@example.com", subject="again")
    [second] = surveys_of(other.id)
    assert surveys.send_due(PUBLIC_URL, now=later(other)) == {second.id: "sent"}


def test_the_contact_form_records_a_new_customers_choices_and_never_overrides_a_known_addresss(client, groups):
    form = {"email": "formed@example.com", "body": "help", "consent_asked": "1", "consent_surveys": "1"}
    assert client.post("/contact", data=form).status_code == 200
    customer = db.session.scalar(select(Customer).where(Customer.name == "formed"))
    current = consent.consents_of(customer)
    assert (current["surveys"].granted, current["surveys"].source, current["marketing"].granted) == (True, "form", False)
    # Anybody can type a known address into the form: what it says of consent is not theirs to change.
    forged = {k: v for k, v in form.items() if k != "consent_surveys"} | {"body": "again", "consent_marketing": "1"}
    assert client.post("/contact", data=forged).status_code == 200
    db.session.expire_all()
    after = consent.consents_of(db.session.get(Customer, customer.id))
    assert (after["surveys"].granted, after["marketing"].granted) == (True, False)
    assert len(consent.history(customer)) == 2
    assert 'name="consent_marketing"' in client.get("/contact").get_data(as_text=True)


def test_the_widget_records_the_consent_its_pre_chat_form_asked_for_with_the_first_message(app):
    from helpdesk.extensions import socketio
    from helpdesk.services import staff
    from helpdesk.services.webchat import widgets as webchat_widgets

    staff.get_or_create_group("Support", is_default=True)
    db.session.commit()
    widget = webchat_widgets.add_widget("shop", ["https://shop.example"], group="Support")
    client = socketio.test_client(app, namespace="/chat", auth={"key": widget.settings["key"]},
                                  headers={"Origin": "https://shop.example"})
    answer = client.emit("post_message", {"text": "hello", "client_id": "client-one", "consent": {"surveys": False, "bogus": True}},
                         namespace="/chat", callback=True)
    assert answer["ok"], answer
    customer = db.session.get(Ticket, answer["ticket_id"]).customer
    current = consent.consents_of(customer)
    assert (current["surveys"].granted, current["surveys"].source, current["marketing"]) == (False, "widget", None)
    client.emit("post_message", {"text": "again", "client_id": "client-two"}, namespace="/chat", callback=True)
    assert len(consent.history(customer)) == 1
